import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { Ctx } from "../../core/context.js";
import { PositiveInt } from "../../system/schemas.js";

interface RollbackData {
  from: number | null;
  to: number;
}

export default defineCommand<{ to?: number }, RollbackData>({
  path: ["system", "rollback"],
  summary: "Switch back to the previous system generation (or to --to N)",
  risk: "change",
  flags: { to: { type: "number", description: "generation number to switch to (see `nixi system generations`)", placeholder: "n", schema: PositiveInt(1_000_000) } },
  examples: ["nixi system rollback", "nixi system rollback --to 41 --yes", "nixi system rollback --dry-run --json"],
  jsonFields: ["from", "to"],
  async plan(ctx, { to }) {
    (await import("../../exec/root-guard.js")).refuseUnderRoot(ctx, ["nixos-rebuild", "list-generations", "--json"]);
    const { generations, SYSTEM_PROFILE } = await import("../../system/gather.js");
    const gens = (await generations(ctx)).generations;
    if (gens.length === 0) throw new NixiError("FAILED", "no system generations found", "is this a NixOS machine?");
    const current = gens.find((g) => g.current) ?? null;
    let target;
    if (to !== undefined) {
      target = gens.find((g) => g.generation === to);
      if (!target) throw new NixiError("INVALID_ARGUMENT", `generation ${to} does not exist`, `existing generations: ${gens.map((g) => g.generation).join(", ")}`);
      if (target.current) return { summary: [`generation ${to} is already the current one`], files: [], commands: [], rebuild: false, data: { from: to, to } };
    } else {
      target = gens.find((g) => current && g.generation < current.generation);
      if (!target) throw new NixiError("FAILED", "there is no older generation to roll back to");
    }
    const commands =
      to === undefined
        ? ["nixos-rebuild switch --rollback"]
        : [`nix-env --profile ${SYSTEM_PROFILE} --switch-generation ${target.generation}`, `${SYSTEM_PROFILE}/bin/switch-to-configuration switch`];
    const desc = (g: typeof target) => `${g.generation}${g.nixosVersion ? ` (NixOS ${g.nixosVersion}${g.date ? `, ${g.date.slice(0, 10)}` : ""})` : ""}`;
    return {
      summary: [`switch the system from generation ${current ? desc(current) : "?"} to ${desc(target)}`],
      files: [],
      commands,
      rebuild: false,
      data: { from: current?.generation ?? null, to: target.generation },
    };
  },
  async apply(ctx, { to }) {
    const { withLock } = await import("../../nixos/transaction.js");
    return withLock(ctx, () => rollbackLocked(ctx, to));
  },
});

async function rollbackLocked(ctx: Ctx, to: number | undefined): Promise<RollbackData> {
  const { changeRun, SYSTEM_PROFILE, generations } = await import("../../system/gather.js");
  const gens = (await generations(ctx)).generations;
  const from = gens.find((g) => g.current)?.generation ?? null;
  const target = to ?? gens.find((g) => from !== null && g.generation < from)!.generation;
  if (to === undefined) await changeRun(ctx, ["nixos-rebuild", "switch", "--rollback"], { timeoutMs: ctx.config.rebuild.timeoutSeconds * 1000 });
  else {
    await changeRun(ctx, ["nix-env", "--profile", SYSTEM_PROFILE, "--switch-generation", String(target)]);
    try {
      await changeRun(ctx, [`${SYSTEM_PROFILE}/bin/switch-to-configuration`, "switch"], { timeoutMs: ctx.config.rebuild.timeoutSeconds * 1000 });
    } catch (e: any) {
      // Put the profile back so the boot menu and the running system agree again.
      if (from !== null) await ctx.exec.run(["nix-env", "--profile", SYSTEM_PROFILE, "--switch-generation", String(from)], { privileged: true });
      throw new NixiError("FAILED", `activating generation ${target} failed; the system profile points at generation ${from} again: ${e.message}`);
    }
  }
  return { from, to: target };
}
