import { defineCommand } from "../../../core/command.js";
import { AMD_DEFAULTS, readAmd, writeVendor } from "../../../gpu/state.js";
import { AMD_FLAGS, AMD_LABELS, applyAmdFlags, describeChanges, type AmdInput } from "../../../gpu/flags.js";

export default defineCommand<AmdInput>({
  path: ["gpu", "amd", "enable"],
  summary: "Enable AMD GPU support (amdgpu with Mesa; optional ROCm OpenCL and early KMS)",
  description:
    "Writes gpu.nix: hardware.graphics.enable (Mesa: OpenGL, VA-API and the RADV Vulkan driver), and with flags hardware.amdgpu.opencl.enable (ROCm OpenCL) " +
    "and amdgpu in boot.initrd.kernelModules (early mode setting). The amdgpu kernel driver itself is part of the kernel and loads on its own. " +
    "Running it again with flags changes those settings; without flags it changes nothing.",
  risk: "change",
  flags: AMD_FLAGS,
  examples: ["nixi gpu amd enable", "nixi gpu amd enable --opencl on", "nixi gpu amd enable --initrd on --lib32 on --yes"],
  jsonFields: ["vendor", "enabled", "wasEnabled", "settings", "changes"],
  mutate(state, input) {
    const before = readAmd(state);
    const after = applyAmdFlags(before ?? AMD_DEFAULTS, input);
    writeVendor(state, "amd", after);
    const changes = describeChanges(before, after, AMD_LABELS);
    const summary = before ? changes.map((c) => `AMD ${c}`) : ["enable AMD GPU support (hardware.graphics)", ...changes.filter((c) => c.endsWith(": on")).map((c) => `  ${c}`)];
    return { summary, data: { vendor: "amd", enabled: true, wasEnabled: !!before, settings: after, changes } };
  },
});
