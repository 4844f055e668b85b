import { defineCommand } from "../../../core/command.js";
import { NixiError } from "../../../core/errors.js";
import { readAmd, writeVendor } from "../../../gpu/state.js";
import { AMD_FLAGS, AMD_LABELS, amdFlagsGiven, applyAmdFlags, describeChanges, type AmdInput } from "../../../gpu/flags.js";

export default defineCommand<AmdInput>({
  path: ["gpu", "amd", "configure"],
  summary: "Change AMD GPU settings: ROCm OpenCL, amdgpu in the initrd, 32-bit graphics",
  description: "Only the settings given change. AMD GPU support must have been enabled with `nixi gpu amd enable`.",
  risk: "change",
  flags: AMD_FLAGS,
  examples: ["nixi gpu amd configure --opencl on", "nixi gpu amd configure --initrd off --dry-run"],
  jsonFields: ["vendor", "settings", "changes"],
  mutate(state, input) {
    const before = readAmd(state);
    if (!before) throw new NixiError("INVALID_ARGUMENT", "AMD GPU support is not enabled by nixi", "run `nixi gpu amd enable` first (it takes the same flags)");
    if (!amdFlagsGiven(input)) throw new NixiError("INVALID_ARGUMENT", "nothing to configure: give at least one setting", "flags: --opencl, --initrd, --lib32 (on|off)");
    const after = applyAmdFlags(before, input);
    writeVendor(state, "amd", after);
    const changes = describeChanges(before, after, AMD_LABELS);
    return {
      summary: changes.map((c) => `AMD ${c}`),
      data: { vendor: "amd", settings: after, changes },
      warnings: before.initrd !== after.initrd ? ["the initrd change takes effect at the next boot"] : [],
    };
  },
});
