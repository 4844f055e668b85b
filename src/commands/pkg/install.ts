import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { PackageAttr } from "../../system/schemas.js";

export default defineCommand<{ packages: string[] }, { installed: string[]; alreadyInstalled: string[]; unchecked: string[] }>({
  path: ["pkg", "install"],
  summary: "Install packages system-wide (environment.systemPackages in packages.nix)",
  risk: "change",
  args: [{ name: "packages", description: "nixpkgs attribute paths (htop, python3Packages.requests)", variadic: true, schema: PackageAttr }],
  examples: ["nixi pkg install htop", "nixi pkg install git ripgrep python3Packages.requests --yes", "nixi pkg install htop --dry-run --json"],
  jsonFields: ["installed", "alreadyInstalled", "unchecked"],
  async mutate(state, { packages }, ctx) {
    const { declaredPackages } = await import("../../nixos/modules/packages.js");
    const { packageExists, suggestions } = await import("../../system/pkgs.js");
    const current = declaredPackages(state.packages);
    const wanted = [...new Set(packages)];
    const fresh = wanted.filter((p) => !current.includes(p));
    const unchecked: string[] = [];
    const reasons = new Set<string>();
    // Catch a typo before the rebuild: check each new attribute against nixpkgs.
    for (const p of fresh) {
      const ok = await packageExists(ctx, p, (why) => reasons.add(why));
      if (ok === null) unchecked.push(p);
      else if (!ok) {
        const alt = (await suggestions(ctx, p)).filter((s) => s !== p);
        throw new NixiError("INVALID_ARGUMENT", `unknown package "${p}": nixpkgs has no attribute ${p}`, alt.length ? `did you mean: ${alt.join(", ")}?` : "see `nixi pkg search NAME`");
      }
    }
    if (unchecked.length) ctx.warn(`could not check ${unchecked.join(", ")} against nixpkgs (${[...reasons].join("; ")}); a typo would fail the rebuild`);
    if (fresh.length) state.packages = { ...(state.packages ?? {}), system: [...current, ...fresh].sort() };
    return {
      summary: fresh.length ? [`install ${fresh.join(", ")}`] : [],
      data: { installed: fresh, alreadyInstalled: wanted.filter((p) => current.includes(p)), unchecked },
    };
  },
});
