// mounts.nix: fileSystems."<mount point>" = { device; fsType; options; } for mounts declared with `nixi mount persist`.
import type { Area } from "../areas.js";
import type { NixValue } from "../render.js";
import { readMounts } from "../../mounts/state.js";

export const mountsArea: Area = {
  key: "mounts",
  file: "mounts.nix",
  render(_section, state) {
    const mounts = readMounts(state);
    if (!mounts.length) return null;
    const fs: Record<string, NixValue> = {};
    for (const m of mounts) fs[m.target] = { device: m.device, fsType: m.fsType, options: m.options };
    return { fileSystems: fs };
  },
};
