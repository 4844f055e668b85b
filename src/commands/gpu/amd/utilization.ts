import { defineCommand } from "../../../core/command.js";
import { NixiError } from "../../../core/errors.js";
import { readAmdCards } from "../../../gpu/amd.js";

export default defineCommand({
  path: ["gpu", "amd", "utilization"],
  summary: "Per-GPU load, VRAM use, temperature and power of AMD GPUs (amdgpu sysfs)",
  description: "Read from /sys/class/drm/card*/device (gpu_busy_percent, mem_busy_percent, mem_info_vram_*) and its amdgpu hwmon (temp1_input, power1_average). Values a card does not expose are null.",
  risk: "read",
  examples: ["nixi gpu amd utilization", "nixi gpu amd utilization --json"],
  jsonFields: ["gpus"],
  async run(ctx) {
    const cards = await readAmdCards(ctx);
    if (!cards.length) throw new NixiError("NOT_FOUND", "no AMD GPU found under /sys/class/drm", "check `nixi gpu amd status`");
    return {
      gpus: cards.map((c) => ({
        card: c.card,
        name: c.productName,
        pciSlot: c.pciSlot,
        utilizationPercent: c.busyPercent,
        memoryUtilizationPercent: c.memoryBusyPercent,
        memoryUsedBytes: c.memoryUsedBytes,
        memoryTotalBytes: c.memoryTotalBytes,
        temperatureCelsius: c.temperatureCelsius,
        powerWatts: c.powerWatts,
      })),
    };
  },
  render(d, out) {
    const dash = (f: (v: number) => string) => (v: number | null) => (v === null ? "-" : f(v));
    out.table(d.gpus, [
      { key: "card", header: "card" },
      { key: "name", header: "name", format: (v) => v ?? "-" },
      { key: "utilizationPercent", header: "load", format: dash((v) => `${v}%`) },
      { key: "memoryUsedBytes", header: "vram", format: (_v, r) => (r.memoryUsedBytes === null || r.memoryTotalBytes === null ? "-" : `${Math.round(r.memoryUsedBytes / 1048576)} / ${Math.round(r.memoryTotalBytes / 1048576)} MiB`) },
      { key: "temperatureCelsius", header: "temp", format: dash((v) => `${v} °C`) },
      { key: "powerWatts", header: "power", format: dash((v) => `${v.toFixed(1)} W`) },
    ]);
  },
});
