import { defineCommand } from "../../../core/command.js";
import { readNvidia, writeVendor } from "../../../gpu/state.js";

export default defineCommand<Record<string, never>>({
  path: ["gpu", "nvidia", "disable"],
  summary: "Remove nixi's NVIDIA driver settings (gpu.nix no longer loads the driver)",
  description: "Removes [gpu.nvidia] from state.toml. NVIDIA settings in your own Nix files are not changed. The driver stays loaded until the next reboot.",
  risk: "change",
  examples: ["nixi gpu nvidia disable", "nixi gpu nvidia disable --dry-run --json"],
  jsonFields: ["vendor", "disabled", "previous"],
  mutate(state, _input, ctx) {
    const before = readNvidia(state);
    if (!before) {
      ctx.warn("the NVIDIA driver was not enabled by nixi (settings in your own Nix files are not changed)");
      return { summary: [], data: { vendor: "nvidia", disabled: false, previous: null } };
    }
    writeVendor(state, "nvidia", null);
    return {
      summary: ["disable the NVIDIA driver (remove hardware.nvidia, videoDrivers and the container toolkit from gpu.nix)"],
      data: { vendor: "nvidia", disabled: true, previous: before },
      warnings: ["the NVIDIA kernel module stays loaded until the next reboot"],
    };
  },
});
