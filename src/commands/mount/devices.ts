import { defineCommand } from "../../core/command.js";
import type { BlockDevice } from "../../mounts/live.js";

function human(n: number | null): string {
  if (n === null) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export default defineCommand<Record<string, never>, { devices: BlockDevice[] }>({
  path: ["mount", "devices"],
  summary: "Block devices (lsblk): disks, partitions, their filesystems, labels, UUIDs and mount points",
  description: "Sizes are in bytes in --json (sizeBytes). Use a UUID with `nixi mount mount UUID=... /mnt/x`.",
  risk: "read",
  examples: ["nixi mount devices", "nixi mount devices --json"],
  jsonFields: ["devices"],
  async run(ctx) {
    const { blockDevices } = await import("../../mounts/live.js");
    return { devices: await blockDevices(ctx) };
  },
  render(data, out) {
    if (!data.devices.length) return out.line("no block devices");
    out.table(data.devices as any[], [
      { key: "path", header: "device" },
      { key: "type", header: "type" },
      { key: "sizeBytes", header: "size", format: (v) => human(v as number | null) },
      { key: "fstype", header: "fs", format: (v) => (v as string) ?? "" },
      { key: "label", header: "label", format: (v) => (v as string) ?? "" },
      { key: "uuid", header: "uuid", format: (v) => (v as string) ?? "" },
      { key: "mountpoints", header: "mounted at", format: (v) => (v as string[]).join(" ") },
    ]);
  },
});
