// Area "options": free NixOS option values set with `nixi config set OPTION VALUE`.
// state.toml: [options] maps a dotted option path ("services.nginx.enable") to a JSON value.
import type { Area } from "../areas.js";
import type { NixValue } from "../render.js";

export const optionsArea: Area = {
  key: "options",
  file: "options.nix",
  render(section) {
    if (!section || typeof section !== "object" || Object.keys(section).length === 0) return null;
    return section as { [key: string]: NixValue };
  },
};
