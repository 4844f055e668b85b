import { defineCommand } from "../../../core/command.js";
import { NixiError } from "../../../core/errors.js";
import { readNvidia, writeVendor } from "../../../gpu/state.js";
import { unfreePlanLines } from "../../../gpu/unfree.js";
import { NVIDIA_FLAGS, NVIDIA_LABELS, applyNvidiaFlags, describeChanges, nvidiaFlagsGiven, type NvidiaInput } from "../../../gpu/flags.js";

export default defineCommand<NvidiaInput>({
  path: ["gpu", "nvidia", "configure"],
  summary: "Change NVIDIA settings: kernel module, driver branch, power management, persistenced, container toolkit",
  description: "Only the settings given change; the others keep their value. The NVIDIA driver must have been enabled with `nixi gpu nvidia enable`.",
  risk: "change",
  flags: NVIDIA_FLAGS,
  examples: ["nixi gpu nvidia configure --driver beta", "nixi gpu nvidia configure --proprietary --driver legacy_470", "nixi gpu nvidia configure --container-toolkit on --power-management on --dry-run"],
  jsonFields: ["vendor", "settings", "changes"],
  mutate(state, input) {
    const before = readNvidia(state);
    if (!before) throw new NixiError("INVALID_ARGUMENT", "the NVIDIA driver is not enabled by nixi", "run `nixi gpu nvidia enable` first (it takes the same flags)");
    if (!nvidiaFlagsGiven(input)) {
      throw new NixiError("INVALID_ARGUMENT", "nothing to configure: give at least one setting", `flags: ${Object.keys(NVIDIA_FLAGS).map((f) => "--" + f).join(", ")}`);
    }
    const after = applyNvidiaFlags(before, input);
    writeVendor(state, "nvidia", after);
    const changes = describeChanges(before, after, NVIDIA_LABELS);
    const kernel = before.open !== after.open || before.driver !== after.driver;
    return {
      summary: [...changes.map((c) => `NVIDIA ${c}`), ...(changes.length ? unfreePlanLines(before, after) : [])],
      data: { vendor: "nvidia", settings: after, changes },
      warnings: kernel ? ["the new NVIDIA kernel module is loaded at the next reboot"] : [],
    };
  },
});
