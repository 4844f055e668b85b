// The NVIDIA driver is unfree (unfreeRedistributable): nixpkgs refuses to evaluate it unless the
// configuration allows it. nixi allows exactly the NVIDIA packages it enables, by name
// (lib.getName), and keeps the person's own nixpkgs.config.allowUnfreePredicate working:
// NixOS merges nixpkgs.config by taking the first definition of a function-valued key
// (nixos/modules/misc/nixpkgs.nix, mergeConfig), so two predicates never combine on their own
// (nixpkgs issue 197325). nixi's definition is ordered first (lib.mkBefore) and its predicate
// also asks every other definition's predicate.
import { NixExpr } from "../nixos/render.js";
import type { NvidiaSettings } from "./state.js";

/** lib.getName of the unfree packages the settings bring in (nixpkgs' nvidia-x11 builder names them so). */
export function nvidiaUnfreeNames(s: NvidiaSettings): string[] {
  // pkgs/os-specific/linux/nvidia-x11/generic.nix: pname "nvidia-${if useFabricmanager then "dc" else "x11"}";
  // the data-centre branch brings NVIDIA's fabric manager (pname "fabricmanager").
  const names = s.driver === "dc" ? ["nvidia-dc", "fabricmanager"] : ["nvidia-x11"];
  if (s.settingsTool) names.push("nvidia-settings");
  if (s.persistenced) names.push("nvidia-persistenced");
  return names;
}

const nixList = (xs: string[]) => `[ ${xs.map((x) => JSON.stringify(x)).join(" ")} ]`;

/** An inline module (in gpu.nix's imports) defining nixpkgs.config for the driver. */
export function unfreeModule(s: NvidiaSettings): NixExpr {
  const names = nixList(nvidiaUnfreeNames(s));
  const license = s.acceptLicense ? "\n    nvidia.acceptLicense = true;" : "";
  return new NixExpr(`{ options, lib, pkgs, ... }: {
  nixpkgs.config = lib.mkBefore {
    # Marks nixi's definition, so the predicate below skips it when it asks the others.
    nixiUnfreePackages = ${names};${license}
    allowUnfreePredicate = pkg:
      builtins.elem (lib.getName pkg) ${names}
      || builtins.any
        (c: !(c ? nixiUnfreePackages) && lib.isFunction (c.allowUnfreePredicate or null) && c.allowUnfreePredicate pkg)
        (map (d: if lib.isFunction d.value then d.value { inherit lib pkgs; } else d.value) options.nixpkgs.config.definitionsWithLocations);
  };
}`);
}

/** The plan line saying what nixi allows, when that changes. */
export function unfreePlanLines(before: NvidiaSettings | null, after: NvidiaSettings): string[] {
  const now = nvidiaUnfreeNames(after).join(", ");
  if (before && nvidiaUnfreeNames(before).join(", ") === now) return [];
  return [`allow the unfree licence of exactly ${now} (nixpkgs.config.allowUnfreePredicate, ordered first; your own predicate still applies)`];
}
