// Shared by service start/stop/restart/enable/disable.
import type { Ctx } from "../core/context.js";

export interface OperateResult {
  unit: string;
  action: string;
  active: string | null;
  sub: string | null;
  enabled: string | null;
}

/** NixOS declares units in the Nix store; `systemctl enable` there is not persistent across rebuilds. */
export function declaredByNixos(fragmentPath: string | undefined): boolean {
  return !!fragmentPath && (fragmentPath.startsWith("/etc/systemd/system/") || fragmentPath.startsWith("/nix/store/"));
}

export async function operate(
  ctx: Ctx,
  name: string,
  verb: "start" | "stop" | "restart" | "enable" | "disable",
  nixosHint?: (unit: string) => string,
): Promise<OperateResult> {
  const { normalizeUnit } = await import("./systemd.js");
  const { changeRun, showUnit } = await import("./gather.js");
  const { NixiError } = await import("../core/errors.js");
  const unit = normalizeUnit(name);
  const before = await showUnit(ctx, unit, ["Id", "LoadState", "FragmentPath"]);
  if (before.LoadState === "not-found") throw new NixiError("NOT_FOUND", `unit ${unit} not found`, "see `nixi service list`");
  if ((verb === "enable" || verb === "disable") && declaredByNixos(before.FragmentPath) && nixosHint?.(unit) !== "") {
    const svc = unit.replace(/\.service$/, "");
    ctx.warn(
      `${unit} comes from the NixOS configuration: \`systemctl ${verb}\` lasts only until the next rebuild or reboot; ` +
        (nixosHint ? nixosHint(unit) : `the persistent switch is \`nixi config set services.${svc}.enable ${verb === "enable" ? "true" : "false"}\``),
    );
  }
  const argv = verb === "enable" || verb === "disable" ? ["systemctl", verb, "--now", unit] : ["systemctl", verb, unit];
  await changeRun(ctx, argv, { privileged: true, timeoutMs: 300_000 });
  const after = await showUnit(ctx, unit, ["Id", "ActiveState", "SubState", "UnitFileState"]);
  return { unit, action: verb, active: after.ActiveState || null, sub: after.SubState || null, enabled: after.UnitFileState || null };
}

export function renderOperate(r: OperateResult, out: import("../core/output.js").HumanOut): void {
  if (!r) return;
  out.line(`${out.style.ok("✓")} ${r.action} ${r.unit}: ${r.active ?? "?"} (${r.sub ?? "?"})${r.enabled ? `, ${r.enabled}` : ""}`);
}
