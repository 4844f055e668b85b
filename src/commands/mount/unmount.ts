import { defineCommand } from "../../core/command.js";

export default defineCommand<{ target: string }>({
  path: ["mount", "unmount"],
  summary: "Unmount TARGET now and drop its declaration if nixi declared it",
  description: "Runs `umount TARGET` when something is mounted there, removes fileSystems.\"TARGET\" from mounts.nix when nixi declared it, and deletes the SMB credentials file nixi wrote for it.",
  risk: "change",
  args: [{ name: "target", description: "mount point (absolute path)" }],
  examples: ["nixi mount unmount /mnt/usb", "nixi mount unmount /mnt/media --dry-run"],
  jsonFields: ["target", "undeclared", "unmounted", "source"],
  async mutate(state, input, ctx) {
    const { NixiError } = await import("../../core/errors.js");
    const v = await import("../../mounts/validate.js");
    const { readMounts, dropMount } = await import("../../mounts/state.js");
    const { mountsAt } = await import("../../mounts/live.js");
    const target = v.checkTarget(input.target);
    const declared = readMounts(state).find((m) => m.target === target);
    const live = (await mountsAt(ctx, target)).pop();
    if (!declared && !live) {
      throw new NixiError("FAILED", `nothing is mounted at ${target} and nixi does not declare it`, "see what is mounted: nixi mount list");
    }
    const summary: string[] = [];
    if (declared) {
      dropMount(state, target);
      summary.push(`drop the declaration of ${target} (${declared.device}, ${declared.fsType})`);
    }
    const commands = live ? [{ argv: ["umount", "--", target], privileged: true, description: `umount ${target}` }] : [];
    if (live) summary.push(`unmount ${live.source} from ${target}`);
    const removals: string[] = [];
    const cred = v.credentialsPath(target);
    if (await ctx.exec.stat(cred)) {
      removals.push(cred);
      summary.push(`delete ${cred}`);
    }
    return { summary, commands, removals, data: { target, undeclared: !!declared, unmounted: !!live, source: live?.source ?? declared?.device ?? null } };
  },
});
