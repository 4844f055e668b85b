import { defineCommand } from "../../core/command.js";
import type { Ctx } from "../../core/context.js";

interface UpgradeData {
  configuration: "flake" | "channels";
  mode: string;
  flakeLockChanged?: boolean;
}

export default defineCommand<Record<string, never>, UpgradeData>({
  path: ["system", "upgrade"],
  summary: "Upgrade: `nix flake update` + rebuild on flake systems, `nixos-rebuild --upgrade` on channel systems",
  risk: "change",
  examples: ["nixi system upgrade --yes", "nixi system upgrade --dry-run"],
  jsonFields: ["configuration", "mode", "flakeLockChanged"],
  async plan(ctx) {
    (await import("../../exec/root-guard.js")).refuseUnderRoot(ctx, ["nixos-rebuild", ctx.config.rebuild.mode, "--upgrade"]);
    const { isFlake, nixosDir } = await import("../../system/gather.js");
    const mode = ctx.config.rebuild.mode;
    if (await isFlake(ctx)) {
      const dir = nixosDir(ctx);
      return {
        summary: [`update the inputs of ${dir}/flake.nix (flake.lock)`, `rebuild with nixos-rebuild ${mode}; on failure flake.lock is restored`],
        files: [],
        commands: [`cd ${dir} && nix flake update`, `nixos-rebuild ${mode}`],
        rebuild: true,
        data: { configuration: "flake", mode },
      };
    }
    return {
      summary: [`update the channels and rebuild with nixos-rebuild ${mode} --upgrade`],
      files: [],
      commands: [`nixos-rebuild ${mode} --upgrade`],
      rebuild: true,
      data: { configuration: "channels", mode },
    };
  },
  async apply(ctx) {
    const { withLock } = await import("../../nixos/transaction.js");
    // Hold nixi's lock: no other nixi change may rebuild at the same time.
    return withLock(ctx, () => upgradeLocked(ctx));
  },
});

async function upgradeLocked(ctx: Ctx): Promise<UpgradeData> {
  const { isFlake, nixosDir, changeRun, NIX } = await import("../../system/gather.js");
  const { rebuildNow } = await import("../../nixos/transaction.js");
  const mode = ctx.config.rebuild.mode;
  const rebuild = async (args: string[], restore?: () => Promise<void>) => {
    const failure = await rebuildNow(ctx, { args, restored: restore ? "flake.lock was restored" : undefined });
    if (failure) {
      if (restore) await restore();
      throw failure;
    }
  };
  if (await isFlake(ctx)) {
    const dir = nixosDir(ctx);
    const lockPath = `${dir}/flake.lock`;
    const before = await ctx.exec.readFile(lockPath);
    // Run in the flake's folder: `nix flake update --flake DIR` exists only from Nix 2.19, a positional DIR only before it.
    await changeRun(ctx, [...NIX, "flake", "update"], { timeoutMs: 600_000, cwd: dir });
    const after = await ctx.exec.readFile(lockPath);
    await rebuild([], async () => {
      if (before === null) await ctx.exec.remove(lockPath, { privileged: true });
      else await ctx.exec.writeFile(lockPath, before, { privileged: true });
    });
    return { configuration: "flake", mode, flakeLockChanged: before !== after };
  }
  await rebuild(["--upgrade"]);
  return { configuration: "channels", mode };
}
