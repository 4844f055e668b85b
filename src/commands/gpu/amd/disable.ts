import { defineCommand } from "../../../core/command.js";
import { readAmd, writeVendor } from "../../../gpu/state.js";

export default defineCommand<Record<string, never>>({
  path: ["gpu", "amd", "disable"],
  summary: "Remove nixi's AMD GPU settings from gpu.nix",
  description: "Removes [gpu.amd] from state.toml. The amdgpu kernel driver is part of the kernel and keeps driving the card; settings in your own Nix files are not changed.",
  risk: "change",
  examples: ["nixi gpu amd disable", "nixi gpu amd disable --dry-run --json"],
  jsonFields: ["vendor", "disabled", "previous"],
  mutate(state, _input, ctx) {
    const before = readAmd(state);
    if (!before) {
      ctx.warn("AMD GPU support was not enabled by nixi (settings in your own Nix files are not changed)");
      return { summary: [], data: { vendor: "amd", disabled: false, previous: null } };
    }
    writeVendor(state, "amd", null);
    return { summary: ["disable nixi's AMD GPU settings (hardware.amdgpu, OpenCL, initrd module)"], data: { vendor: "amd", disabled: true, previous: before } };
  },
});
