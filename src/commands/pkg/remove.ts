import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { PackageAttr } from "../../system/schemas.js";

export default defineCommand<{ packages: string[] }, { removed: string[] }>({
  path: ["pkg", "remove"],
  summary: "Remove packages nixi installed (from packages.nix)",
  risk: "change",
  args: [{ name: "packages", description: "attribute paths as given to `nixi pkg install`", variadic: true, schema: PackageAttr }],
  examples: ["nixi pkg remove htop", "nixi pkg remove git ripgrep --yes"],
  jsonFields: ["removed"],
  async mutate(state, { packages }) {
    const { declaredPackages } = await import("../../nixos/modules/packages.js");
    const current = declaredPackages(state.packages);
    const wanted = [...new Set(packages)];
    const missing = wanted.filter((p) => !current.includes(p));
    if (missing.length) {
      throw new NixiError(
        "NOT_FOUND",
        `not installed by nixi: ${missing.join(", ")}`,
        current.length ? `nixi's packages: ${current.join(", ")} (packages from configuration.nix are not nixi's to remove)` : "nixi declares no packages; packages from configuration.nix are not nixi's to remove",
      );
    }
    const rest = current.filter((p) => !wanted.includes(p));
    if (rest.length) state.packages = { ...state.packages, system: rest };
    else if (state.packages) {
      delete state.packages.system;
      if (Object.keys(state.packages).length === 0) delete state.packages;
    }
    return { summary: [`remove ${wanted.join(", ")}`], data: { removed: wanted } };
  },
});
