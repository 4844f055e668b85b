// Area "packages": system-wide packages. state.toml: [packages] system = ["htop", "python3Packages.requests"].
import type { Area } from "../areas.js";
import { NixiError } from "../../core/errors.js";
import { pkgRef } from "../render.js";

export function declaredPackages(section: any): string[] {
  if (!section || typeof section !== "object") return [];
  const list = section.system ?? [];
  if (!Array.isArray(list) || list.some((p) => typeof p !== "string")) {
    throw new NixiError("STATE_INVALID", "packages.system in state.toml must be a list of attribute paths (strings)");
  }
  return [...new Set(list as string[])].sort();
}

export const packagesArea: Area = {
  key: "packages",
  file: "packages.nix",
  render(section) {
    const pkgs = declaredPackages(section);
    if (pkgs.length === 0) return null;
    return { environment: { systemPackages: pkgs.map(pkgRef) } };
  },
};
