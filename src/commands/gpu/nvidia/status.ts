import { defineCommand } from "../../../core/command.js";
import { loadState } from "../../../nixos/state.js";
import { readNvidia } from "../../../gpu/state.js";
import { loadedModules, mibToBytes, parseProcVersion, querySmi } from "../../../gpu/nvidia.js";

const FIELDS = ["index", "name", "uuid", "pci.bus_id", "driver_version", "memory.total", "persistence_mode"];

export default defineCommand({
  path: ["gpu", "nvidia", "status"],
  summary: "NVIDIA driver and GPUs: kernel module loaded, driver version, GPUs seen by nvidia-smi, what nixi declared",
  risk: "read",
  examples: ["nixi gpu nvidia status", "nixi gpu nvidia status --json", "nixi gpu nvidia status --node gpu1"],
  jsonFields: ["declared", "driverLoaded", "modules", "kernelModule", "driverVersion", "smi", "gpus"],
  async run(ctx) {
    const [state, modules, procVersion, smi] = await Promise.all([
      loadState(ctx),
      loadedModules(ctx, "nvidia"),
      ctx.exec.readFile("/proc/driver/nvidia/version").catch(() => null),
      querySmi(ctx, FIELDS),
    ]);
    const kernel = parseProcVersion(procVersion);
    const gpus = (smi.rows ?? []).map((r) => ({
      index: Number(r.index),
      name: r.name,
      uuid: r.uuid,
      pciBusId: r["pci.bus_id"],
      driverVersion: r.driver_version,
      memoryTotalBytes: mibToBytes(r["memory.total"]),
      persistenceMode: r.persistence_mode === null ? null : r.persistence_mode === "Enabled",
    }));
    return {
      declared: readNvidia(state),
      driverLoaded: modules === null ? procVersion !== null : modules.includes("nvidia"),
      modules: modules ?? [],
      kernelModule: kernel.kernelModule,
      driverVersion: kernel.version ?? gpus[0]?.driverVersion ?? null,
      smi: { available: smi.available, error: smi.error, exitCode: smi.exitCode },
      gpus,
    };
  },
  render(d, out) {
    const s = d.declared;
    out.kv([
      ["declared by nixi", s ? `yes (${s.open ? "open" : "proprietary"} kernel module, driver ${s.driver ?? "stable"}${s.containerToolkit ? ", container toolkit" : ""})` : "no"],
      ["driver loaded", d.driverLoaded ? out.style.ok("yes") : out.style.warn("no")],
      ["kernel module", d.kernelModule ?? "-"],
      ["driver version", d.driverVersion ?? "-"],
      ["nvidia-smi", d.smi.error ? out.style.warn(d.smi.error) : "ok"],
    ]);
    if (d.gpus.length) {
      out.line();
      out.table(d.gpus, [
        { key: "index", header: "gpu" },
        { key: "name", header: "name" },
        { key: "pciBusId", header: "bus id", format: (v) => v ?? "-" },
        { key: "memoryTotalBytes", header: "memory", format: (v) => (v === null ? "-" : `${Math.round(v / 1024 / 1024)} MiB`) },
        { key: "uuid", header: "uuid", format: (v) => v ?? "-" },
      ]);
    }
  },
});
