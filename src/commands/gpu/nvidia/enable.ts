import { defineCommand } from "../../../core/command.js";
import { NVIDIA_DEFAULTS, readNvidia, writeVendor } from "../../../gpu/state.js";
import { unfreePlanLines } from "../../../gpu/unfree.js";
import { NVIDIA_FLAGS, NVIDIA_LABELS, applyNvidiaFlags, describeChanges, type NvidiaInput } from "../../../gpu/flags.js";

export default defineCommand<NvidiaInput>({
  path: ["gpu", "nvidia", "enable"],
  summary: "Enable the NVIDIA driver (open kernel module by default; --proprietary for pre-Turing cards)",
  description:
    "Writes gpu.nix: services.xserver.videoDrivers = [ \"nvidia\" ] (this also selects the kernel module on headless machines), hardware.graphics.enable, " +
    "hardware.nvidia.open set explicitly (it has no default from driver 560 on), modesetting, power management and nvidia-settings. " +
    "The open kernel module needs a Turing (RTX 20, T4, GTX 16) or newer GPU; use --proprietary for Maxwell, Pascal or Volta. " +
    "Running it again with flags changes those settings; without flags it changes nothing. A reboot loads the new kernel module.",
  risk: "change",
  flags: NVIDIA_FLAGS,
  examples: ["nixi gpu nvidia enable", "nixi gpu nvidia enable --proprietary --driver legacy_470", "nixi gpu nvidia enable --container-toolkit on --persistenced on --yes"],
  jsonFields: ["vendor", "enabled", "wasEnabled", "settings", "changes"],
  mutate(state, input) {
    const before = readNvidia(state);
    const after = applyNvidiaFlags(before ?? NVIDIA_DEFAULTS, input);
    writeVendor(state, "nvidia", after);
    const changes = describeChanges(before, after, NVIDIA_LABELS);
    const summary = before
      ? changes.map((c) => `NVIDIA ${c}`)
      : [
          `enable the NVIDIA driver (${after.open ? "open" : "proprietary"} kernel module, driver ${after.driver ?? "stable (NixOS default)"}, modesetting ${after.modesetting ? "on" : "off"})`,
          ...changes.filter((c) => c.endsWith(": on") && !/^(open kernel module|modesetting):/.test(c)).map((c) => `  ${c}`),
        ];
    if (summary.length) summary.push(...unfreePlanLines(before, after).map((l) => `  ${l}`));
    return {
      summary,
      data: { vendor: "nvidia", enabled: true, wasEnabled: !!before, settings: after, changes },
      warnings: summary.length ? ["the NVIDIA kernel module is loaded at the next reboot"] : [],
    };
  },
});
