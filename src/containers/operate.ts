// start / stop / restart: `systemctl VERB <backend>-<name>.service` when NixOS declared the unit
// (virtualisation.oci-containers), else the runtime CLI (`podman start NAME`, ...).
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { loadState } from "../nixos/transaction.js";
import { detectBackend, runtimeFor, unitExists, unitName, type Verb } from "./runtime.js";
import { runChecked } from "../core/run.js";

export async function operate(ctx: Ctx, verb: Verb, name: string) {
  const state = await loadState(ctx);
  const backend = await detectBackend(ctx.exec, (state.containers as any)?.backend);
  if (!backend) throw new NixiError("FAILED", "neither podman nor docker is installed on this node");
  const unit = unitName(backend, name);
  const runtime = runtimeFor(backend, ctx.exec);
  let via: string;
  if (await unitExists(ctx.exec, unit)) {
    await runChecked(ctx, ["systemctl", verb, unit], { privileged: true, timeoutMs: 180_000, failHint: `see \`nixi service logs ${unit}\`` });
    via = "systemd";
  } else {
    await runtime.act(verb, name);
    via = backend;
  }
  const after = ctx.flags.dryRun ? null : await runtime.inspect(name);
  return { name, action: verb, via, unit: via === "systemd" ? unit : null, backend, state: after?.state ?? (ctx.flags.dryRun ? "unchanged (dry run)" : "unknown") };
}
