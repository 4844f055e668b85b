import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { Ctx } from "../../core/context.js";
import type { Held } from "../../nixos/transaction.js";
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
    const { generations } = await import("../../system/gather.js");
    const SYSTEM_PROFILE = await systemProfile(ctx);
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
    return withLock(ctx, (held) => rollbackLocked(ctx, held, to));
  },
});

/** The system profile: [rebuild] system_profile (default /nix/var/nix/profiles/system), the same
 *  one safe apply's revert sets back. */
async function systemProfile(ctx: Ctx): Promise<string> {
  return (await import("../../remote/safe-apply.js")).safeApplySettings(ctx).profile;
}

async function rollbackLocked(ctx: Ctx, held: Held, to: number | undefined): Promise<RollbackData> {
  const { changeRun, generations } = await import("../../system/gather.js");
  const SYSTEM_PROFILE = await systemProfile(ctx);
  const gens = (await generations(ctx)).generations;
  const from = gens.find((g) => g.current)?.generation ?? null;
  const target = to ?? gens.find((g) => from !== null && g.generation < from)!.generation;
  const safe = await import("../../remote/safe-apply.js");
  if (safe.wantsSafeApply(ctx, "switch")) {
    await safeRollback(ctx, held, SYSTEM_PROFILE, from, to === undefined ? undefined : target);
    return { from, to: target };
  }
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

const FAILED_MARK = "nixi-rollback: activation failed";

/** Safe apply (docs/remote.md): the same steps as above in the node's detached watchdog, which
 *  switches back to the generation that was running unless nixi confirms over a new connection.
 *  nixi's files are not touched by a rollback, so the revert leaves them as they are. */
async function safeRollback(ctx: Ctx, held: Held, profile: string, from: number | null, to: number | undefined): Promise<void> {
  const { safeRebuild, revertedError } = await import("../../remote/safe-apply.js");
  const { shQuote: q } = await import("../../exec/quote.js");
  const { tail } = await import("../../nixos/transaction.js");
  let argv: string[];
  let label: string;
  if (to === undefined) {
    argv = ["nixos-rebuild", "switch", "--rollback"];
    label = argv.join(" ");
  } else {
    const P = q(profile);
    // the profile is put back when the activation fails, as in the plain way
    const putBack =
      from === null
        ? `echo "${FAILED_MARK} (exit $rc)"`
        : `if nix-env --profile ${P} --switch-generation ${from}; then echo "${FAILED_MARK} (exit $rc); profile back"; else echo "${FAILED_MARK} (exit $rc); profile NOT back"; fi`;
    const script = [
      `nix-env --profile ${P} --switch-generation ${to} || exit $?`,
      `${q(profile + "/bin/switch-to-configuration")} switch; rc=$?`,
      `if [ "$rc" != 0 ]; then ${putBack}; exit "$rc"; fi`,
    ].join("\n");
    argv = ["sh", "-c", script];
    label = `nix-env --profile ${profile} --switch-generation ${to} && ${profile}/bin/switch-to-configuration switch`;
  }
  const r = await safeRebuild(ctx, argv, ctx.config.rebuild.timeoutSeconds * 1000, { label, restoreFiles: false });
  // the node switches back and removes nixi's lock by itself
  if (r.reverted) {
    held.lock.released = true;
    throw revertedError(ctx);
  }
  if (r.fresh) {
    // confirmed: release the lock over the connection that proved a new login works
    await r.fresh.batch(held.lock.releaseOps(), { privileged: true }).catch(() => undefined);
    held.lock.released = true;
    await r.fresh.close().catch(() => undefined);
  }
  if (r.exitCode === 0 && !r.timedOut) return;
  const log = r.stdout.trim();
  if (r.timedOut) throw new NixiError("FAILED", `${label} on ${ctx.node} timed out after ${ctx.config.rebuild.timeoutSeconds} s`);
  if (to !== undefined && log.includes(FAILED_MARK)) {
    const back = log.includes(`${FAILED_MARK} (exit ${r.exitCode}); profile back`);
    throw new NixiError(
      "FAILED",
      back || from === null
        ? `activating generation ${to} failed; the system profile points at generation ${from} again: ${tail(log, 5)}`
        : `activating generation ${to} failed and putting the system profile back at generation ${from} failed too: ${tail(log, 5)}`,
      back ? undefined : `run \`nix-env --profile ${profile} --switch-generation ${from}\` on ${ctx.node}`,
    );
  }
  throw new NixiError("FAILED", `\`${label}\` failed on ${ctx.node} (exit ${r.exitCode}): ${tail(log, 5)}`);
}
