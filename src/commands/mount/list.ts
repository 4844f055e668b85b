import { defineCommand } from "../../core/command.js";

export interface MountRow {
  target: string;
  source: string;
  fstype: string;
  options: string[];
  mounted: boolean;
  declared: boolean;
}

export default defineCommand<{ all?: boolean }, { mounts: MountRow[] }>({
  path: ["mount", "list"],
  summary: "What is mounted now (findmnt), marked against the mounts nixi declared",
  description: "Kernel and systemd filesystems (proc, sysfs, cgroup2, devpts, ...) and mounts below /proc, /sys and /dev are hidden unless --all.",
  risk: "read",
  flags: { all: { type: "boolean", description: "also show kernel and systemd filesystems" } },
  examples: ["nixi mount list", "nixi mount list --all --json"],
  jsonFields: ["mounts"],
  async run(ctx, input) {
    const { liveMounts, isSystemMount } = await import("../../mounts/live.js");
    const { readMounts } = await import("../../mounts/state.js");
    const { loadState } = await import("../../nixos/state.js");
    const { liveIsHostNote } = await import("../../exec/root-guard.js");
    const hostNote = liveIsHostNote(ctx, "the mounted filesystems");
    const live = liveMounts(ctx).catch((e) => {
      // under --root without NIXI_ROOT_EXEC=1 findmnt is not run: DIR's declared mounts only
      if (!hostNote || e?.code !== "POLICY") throw e;
      ctx.warn(`mounted state not shown: ${e.message} (set NIXI_ROOT_EXEC=1 to see the running host's)`);
      return [];
    });
    live.then((l) => l.length && hostNote && ctx.warn(hostNote), () => {});
    const declared = readMounts(await loadState(ctx));
    const byTarget = new Map(declared.map((d) => [d.target, d]));
    const rows: MountRow[] = [];
    const seen = new Set<string>();
    for (const m of await live) {
      const d = byTarget.get(m.target);
      if (!d && !input.all && isSystemMount(m)) continue;
      seen.add(m.target);
      rows.push({ target: m.target, source: m.source, fstype: m.fstype, options: m.options, mounted: true, declared: !!d });
    }
    for (const d of declared) {
      if (!seen.has(d.target)) rows.push({ target: d.target, source: d.device, fstype: d.fsType, options: d.options, mounted: false, declared: true });
    }
    return { mounts: rows };
  },
  render(data, out) {
    if (!data.mounts.length) return out.line("nothing mounted (besides kernel filesystems) and nothing declared by nixi");
    out.table(data.mounts as any[], [
      { key: "target", header: "mount point" },
      { key: "source", header: "source" },
      { key: "fstype", header: "type" },
      { key: "options", header: "options", format: (v) => (v as string[]).join(",") },
      { key: "mounted", header: "mounted", format: (v) => (v ? "yes" : "no") },
      { key: "declared", header: "nixi", format: (v) => (v ? "declared" : "-") },
    ]);
  },
});
