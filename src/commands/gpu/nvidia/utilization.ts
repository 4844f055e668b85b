import { defineCommand } from "../../../core/command.js";
import { NixiError } from "../../../core/errors.js";
import { mibToBytes, num, querySmi } from "../../../gpu/nvidia.js";

const FIELDS = ["index", "name", "utilization.gpu", "utilization.memory", "memory.used", "memory.total", "temperature.gpu", "power.draw"];

export default defineCommand({
  path: ["gpu", "nvidia", "utilization"],
  summary: "Per-GPU load, memory, temperature and power draw (nvidia-smi)",
  description: "Values a GPU does not report (\"[N/A]\", \"[Not Supported]\") are null in --json and \"-\" in the table.",
  risk: "read",
  examples: ["nixi gpu nvidia utilization", "nixi gpu nvidia utilization --json", "nixi gpu nvidia utilization --all-nodes"],
  jsonFields: ["gpus"],
  async run(ctx) {
    const smi = await querySmi(ctx, FIELDS);
    if (!smi.rows) {
      throw new NixiError(
        "FAILED",
        `cannot read NVIDIA GPU utilization: ${smi.error}`,
        smi.available ? "check `nixi gpu nvidia status`; after `nixi gpu nvidia enable` a reboot loads the driver" : "enable the driver with `nixi gpu nvidia enable`",
      );
    }
    return {
      gpus: smi.rows.map((r) => ({
        index: Number(r.index),
        name: r.name,
        utilizationPercent: num(r["utilization.gpu"]),
        memoryUtilizationPercent: num(r["utilization.memory"]),
        memoryUsedBytes: mibToBytes(r["memory.used"]),
        memoryTotalBytes: mibToBytes(r["memory.total"]),
        temperatureCelsius: num(r["temperature.gpu"]),
        powerDrawWatts: num(r["power.draw"]),
      })),
    };
  },
  render(d, out) {
    if (!d.gpus.length) return out.line("nvidia-smi lists no GPUs");
    const dash = (f: (v: number) => string) => (v: number | null) => (v === null ? "-" : f(v));
    out.table(d.gpus, [
      { key: "index", header: "gpu" },
      { key: "name", header: "name" },
      { key: "utilizationPercent", header: "load", format: dash((v) => `${v}%`) },
      { key: "memoryUtilizationPercent", header: "mem load", format: dash((v) => `${v}%`) },
      { key: "memoryUsedBytes", header: "memory", format: (_v, r) => (r.memoryUsedBytes === null || r.memoryTotalBytes === null ? "-" : `${Math.round(r.memoryUsedBytes / 1048576)} / ${Math.round(r.memoryTotalBytes / 1048576)} MiB`) },
      { key: "temperatureCelsius", header: "temp", format: dash((v) => `${v} °C`) },
      { key: "powerDrawWatts", header: "power", format: dash((v) => `${v.toFixed(1)} W`) },
    ]);
  },
});
