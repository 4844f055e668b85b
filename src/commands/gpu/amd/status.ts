import { defineCommand } from "../../../core/command.js";
import { loadState } from "../../../nixos/state.js";
import { readAmd } from "../../../gpu/state.js";
import { readAmdCards } from "../../../gpu/amd.js";
import { loadedModules } from "../../../gpu/nvidia.js";

export default defineCommand({
  path: ["gpu", "amd", "status"],
  summary: "AMD GPUs from sysfs: amdgpu loaded, cards, PCI ids, VRAM, what nixi declared",
  risk: "read",
  examples: ["nixi gpu amd status", "nixi gpu amd status --json"],
  jsonFields: ["declared", "driverLoaded", "gpus"],
  async run(ctx) {
    const [state, modules, sysModule, cards] = await Promise.all([
      loadState(ctx),
      loadedModules(ctx, "amdgpu"),
      ctx.exec.stat("/sys/module/amdgpu").catch(() => null),
      readAmdCards(ctx),
    ]);
    return {
      declared: readAmd(state),
      // /sys/module/amdgpu exists when the driver is loaded or built in; /proc/modules lists it when loaded as a module
      driverLoaded: sysModule?.type === "dir" || !!modules?.includes("amdgpu"),
      gpus: cards.map((c) => ({
        card: c.card,
        name: c.productName,
        pciSlot: c.pciSlot,
        pciId: c.pciId,
        deviceId: c.deviceId,
        driver: c.driver,
        memoryTotalBytes: c.memoryTotalBytes,
      })),
    };
  },
  render(d, out) {
    const s = d.declared;
    out.kv([
      ["declared by nixi", s ? `yes${s.opencl ? " (OpenCL)" : ""}${s.initrd ? " (initrd)" : ""}` : "no"],
      ["amdgpu loaded", d.driverLoaded ? out.style.ok("yes") : out.style.warn("no")],
      ["GPUs", String(d.gpus.length)],
    ]);
    if (d.gpus.length) {
      out.line();
      out.table(d.gpus, [
        { key: "card", header: "card" },
        { key: "name", header: "name", format: (v) => v ?? "-" },
        { key: "pciSlot", header: "pci slot", format: (v) => v ?? "-" },
        { key: "pciId", header: "pci id", format: (v) => v ?? "-" },
        { key: "driver", header: "driver", format: (v) => v ?? "none" },
        { key: "memoryTotalBytes", header: "vram", format: (v) => (v === null ? "-" : `${Math.round(v / 1048576)} MiB`) },
      ]);
    }
  },
});
