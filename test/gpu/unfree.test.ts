// gpu.nix in the real module system (../shared/nixos/nixpkgs-lib/lib): the NixOS options it sets are
// declared with the types of ../shared/nixos/nixos-options.json, `nixpkgs.config` with the type and
// merge of nixos/modules/misc/nixpkgs.nix (configType/mergeConfig: first definition wins for a
// function, lists concatenate), and the merged nixpkgs config is put through the unfree-licence
// check of pkgs/stdenv/generic/check-meta.nix (hasDeniedUnfreeLicense, written out below as it is there).
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots, NIXI_DIR } from "../helpers/tree.js";

afterAll(cleanupRoots);
const LIB = join(REPO, "../shared/nixos/nixpkgs-lib/lib");
const tmp = mkdtempSync(join(tmpdir(), "nixi-unfree-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const stage = async (cmd: string) => {
  const root = makeRoot();
  const r = await run(`${cmd} --yes --no-rebuild --json --root ${root}`);
  expect(r.exitCode, r.stderr).toBe(0);
  return { root, json: r.json, gpu: join(root, NIXI_DIR, "gpu.nix") };
};

/** The person's own module (Nix source): before or after nixi's in the module list, or importing it
 *  (as configuration.nix imports ./nixi). */
type Person = { module: string; where: "first" | "last" | "imports-nixi" } | null;

function harness(gpuNix: string, person: Person): string {
  const personMod = person ? person.module : "{ }";
  const modules =
    person?.where === "first" ? `[ decls personMod (import ${gpuNix}) ]`
    : person?.where === "imports-nixi" ? `[ decls ({ lib, pkgs, config, options, ... }@args: (if lib.isFunction personMod then personMod args else personMod) // { imports = [ (import ${gpuNix}) ]; }) ]`
    : `[ decls (import ${gpuNix}) personMod ]`;
  return `
let
  lib = import ${LIB};
  inherit (lib) mkOption types;

  # nixos/modules/misc/nixpkgs.nix
  isConfig = x: builtins.isAttrs x || lib.isFunction x;
  optCall = f: x: if lib.isFunction f then f x else f;
  mergeConfig = lhs_: rhs_:
    let
      lhs = optCall lhs_ { inherit lib pkgs; };
      rhs = optCall rhs_ { inherit lib pkgs; };
    in
    lib.zipAttrsWith (name: values: let rhs' = lib.elemAt values 0; in if builtins.isList rhs' then lib.concatLists values else rhs') [ lhs rhs ];
  configType = lib.mkOptionType {
    name = "nixpkgs-config";
    check = isConfig;
    merge = args: lib.foldr (def: mergeConfig def.value) { };
  };

  drv = name: license: { type = "derivation"; inherit name; outPath = "/nix/store/00000000000000000000000000000000-" + name; meta = { inherit license; }; };
  unfree = lib.licenses.unfreeRedistributable;
  nvidiaPackages = lib.genAttrs [ "stable" "production" "latest" "beta" "legacy_535" "legacy_470" "legacy_390" ]
    (n: drv "nvidia-x11-560.35.03-6.6.63" unfree // { settings = drv "nvidia-settings-560.35.03" lib.licenses.gpl2Plus; persistenced = drv "nvidia-persistenced-560.35.03" lib.licenses.mit; })
    // { dc = drv "nvidia-dc-565.57.01-6.6.63" unfree // { settings = null; persistenced = drv "nvidia-persistenced-565.57.01" lib.licenses.mit; }; };
  pkgs = {
    corefonts = drv "corefonts-1" lib.licenses.unfreeRedistributable;
    steam = drv "steam-1.0.0.81" lib.licenses.unfreeRedistributable;
    hello = drv "hello-2.12" lib.licenses.gpl3Plus;
  };
  personMod = ${personMod};

  decls = { config, ... }: {
    options = {
      nixpkgs.config = mkOption { type = configType; default = { }; };
      hardware.graphics.enable = mkOption { type = types.bool; default = false; };
      hardware.graphics.enable32Bit = mkOption { type = types.bool; default = false; };
      hardware.nvidia.open = mkOption { type = types.nullOr types.bool; default = null; };
      hardware.nvidia.modesetting.enable = mkOption { type = types.bool; default = false; };
      hardware.nvidia.powerManagement.enable = mkOption { type = types.bool; default = false; };
      # NixOS default: true (the settings GUI is installed unless nixi says otherwise).
      hardware.nvidia.nvidiaSettings = mkOption { type = types.bool; default = true; };
      hardware.nvidia.nvidiaPersistenced = mkOption { type = types.bool; default = false; };
      hardware.nvidia.package = mkOption { type = types.unspecified; default = config.boot.kernelPackages.nvidiaPackages.stable; };
      hardware.nvidia-container-toolkit.enable = mkOption { type = types.bool; default = false; };
      services.xserver.videoDrivers = mkOption { type = types.listOf types.str; default = [ ]; };
      environment.systemPackages = mkOption { type = types.listOf types.package; default = [ ]; };
      boot.kernelPackages = mkOption { type = types.raw; default = { inherit nvidiaPackages; }; };
    };
    config = {
      _module.args.pkgs = pkgs;
      # nixos/modules/hardware/video/nvidia.nix: the settings and persistenced packages of the driver.
      environment.systemPackages = lib.optional config.hardware.nvidia.nvidiaSettings config.hardware.nvidia.package.settings
        ++ lib.optional config.hardware.nvidia.nvidiaPersistenced config.hardware.nvidia.package.persistenced;
    };
  };

  cfg = (lib.evalModules { modules = ${modules}; }).config;
  nc = cfg.nixpkgs.config;

  # pkgs/stdenv/generic/check-meta.nix
  allowUnfree = nc.allowUnfree or false;
  isUnfree = licenses:
    if licenses ? licenseType then !(lib.licenses.isFree licenses)
    else if builtins.isAttrs licenses then !(licenses.free or true)
    else if builtins.isString licenses then false
    else lib.any (l: !l.free or false) licenses;
  hasUnfreeLicense = attrs: attrs ? meta.license && isUnfree attrs.meta.license;
  hasDeniedUnfreeLicense =
    if allowUnfree then _: false
    else
      let
        listPredicate = pkg: builtins.elem (lib.getName pkg) (nc.allowUnfreePackages or [ ]);
        definedListPredicate = (nc.allowUnfreePackages or [ ]) != [ ];
        explicitPredicate = nc.allowUnfreePredicate;
        definedExplicitPredicate = lib.isFunction (nc.allowUnfreePredicate or null);
      in
      if definedListPredicate then
        if definedExplicitPredicate then attrs: hasUnfreeLicense attrs && !(listPredicate attrs || explicitPredicate attrs)
        else attrs: hasUnfreeLicense attrs && !listPredicate attrs
      else if definedExplicitPredicate then attrs: hasUnfreeLicense attrs && !explicitPredicate attrs
      else hasUnfreeLicense;
  refused = p: hasDeniedUnfreeLicense p;
in {
  allowUnfree = allowUnfree;
  acceptLicense = nc.nvidia.acceptLicense or false;
  driver = refused cfg.hardware.nvidia.package;
  corefonts = refused pkgs.corefonts;
  steam = refused pkgs.steam;
  hello = refused pkgs.hello;
  systemPackages = map (p: p.name) cfg.environment.systemPackages;
  systemPackagesRefused = map refused cfg.environment.systemPackages;
}`;
}

let n = 0;
function evaluate(gpuNix: string, person: Person = null): Promise<any> {
  const file = join(tmp, `eval-${n++}.nix`);
  writeFileSync(file, harness(gpuNix, person));
  return new Promise((resolve, reject) => {
    execFile("nix-instantiate", ["--eval", "--strict", "--json", file], { env: { ...process.env, NIX_CONFIG: "build-users-group =" }, maxBuffer: 1 << 22 }, (err, out, errOut) => {
      if (err) reject(new Error(`nix-instantiate: ${errOut}`));
      else resolve(JSON.parse(out));
    });
  });
}

const PERSON = `{ lib, ... }: { nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "corefonts" ]; }`;
const PERSON_FN = `{ nixpkgs.config = { lib, pkgs }: { allowUnfreePredicate = pkg: lib.getName pkg == "corefonts"; }; }`;

describe("gpu nvidia enable: the driver's unfree licence (real module system + check-meta)", () => {
  it("the driver is allowed, nothing else unfree is, and allowUnfree stays off; the plan says so", async () => {
    const { gpu, json } = await stage("gpu nvidia enable");
    expect(json.plan.summary.join("\n")).toMatch(/allow the unfree licence of exactly nvidia-x11 \(nixpkgs\.config\.allowUnfreePredicate/);
    const r = await evaluate(gpu);
    expect(r).toMatchObject({ allowUnfree: false, driver: false, corefonts: true, steam: true, hello: false, acceptLicense: false });
    // nixi writes nvidiaSettings = false: the NixOS default (true) would install the settings tool.
    expect(r.systemPackages).toEqual([]);
  });

  it.each(["first", "last", "imports-nixi"] as const)("the person's own allowUnfreePredicate keeps working (person's module: %s)", async (where) => {
    const { gpu } = await stage("gpu nvidia enable");
    expect(await evaluate(gpu, { module: PERSON, where })).toMatchObject({ driver: false, corefonts: false, steam: true });
    expect(await evaluate(gpu, { module: PERSON_FN, where })).toMatchObject({ driver: false, corefonts: false, steam: true });
  });

  it("the person's allowUnfree = true still allows everything", async () => {
    const { gpu } = await stage("gpu nvidia enable");
    expect(await evaluate(gpu, { module: "{ nixpkgs.config.allowUnfree = true; }", where: "imports-nixi" })).toMatchObject({ allowUnfree: true, steam: false, driver: false });
  });

  it("settings tool and persistenced: their packages are in systemPackages and allowed", async () => {
    const { gpu, json } = await stage("gpu nvidia enable --settings-tool on --persistenced on");
    expect(json.plan.summary.join("\n")).toContain("exactly nvidia-x11, nvidia-settings, nvidia-persistenced");
    const r = await evaluate(gpu);
    expect(r.systemPackages).toEqual(["nvidia-settings-560.35.03", "nvidia-persistenced-560.35.03"]);
    expect(r.systemPackagesRefused).toEqual([false, false]);
    expect(r.driver).toBe(false);
  });
});

describe("legacy drivers: NVIDIA's licence, accepted explicitly", () => {
  it.each(["legacy_470", "legacy_390"])("%s without --accept-nvidia-license is refused; with it, acceptLicense is set and in the plan", async (driver) => {
    const root = makeRoot();
    const no = await run(`gpu nvidia enable --proprietary --driver ${driver} --yes --no-rebuild --json --root ${root}`);
    expect(no.exitCode).toBe(2);
    expect(no.json.error.hint).toContain("--accept-nvidia-license");
    const { gpu, json } = await stage(`gpu nvidia enable --proprietary --driver ${driver} --accept-nvidia-license`);
    expect(json.plan.summary.join("\n")).toContain("NVIDIA licence accepted (nixpkgs.config.nvidia.acceptLicense): on");
    expect(await evaluate(gpu)).toMatchObject({ acceptLicense: true, driver: false, steam: true });
  });

  it("a non-legacy driver never sets acceptLicense", async () => {
    const { gpu } = await stage("gpu nvidia enable --driver production");
    expect((await evaluate(gpu)).acceptLicense).toBe(false);
  });
});

describe("data-centre driver (dc): no settings package", () => {
  it("gpu.nix for dc evaluates with nothing that is not a package in systemPackages, the dc packages allowed", async () => {
    const { gpu, json } = await stage("gpu nvidia enable --driver dc");
    expect(json.plan.summary.join("\n")).toContain("exactly nvidia-dc, fabricmanager (");
    const r = await evaluate(gpu);
    expect(r).toMatchObject({ driver: false, systemPackages: [] });
  });

  it("--driver dc --settings-tool on is refused (exit 2), as is a hand-edited state.toml with both", async () => {
    const root = makeRoot();
    const r = await run(`gpu nvidia enable --driver dc --settings-tool on --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toContain("--driver dc");
    const hand = makeRoot({ [`${NIXI_DIR}/state.toml`]: '[gpu.nvidia]\ndriver = "dc"\nsettingsTool = true\nopen = true\n' });
    const h = await run(`system rebuild --yes --json --root ${hand}`);
    expect(h.exitCode).toBe(2);
    expect(h.json.error.message).toContain("dc has no nvidia-settings");
  });

  it("the emulated NixOS module really fails on a non-package in systemPackages (the check can fail)", async () => {
    const file = join(tmp, "dc-settings.nix");
    writeFileSync(file, `{ lib, ... }: { hardware.nvidia.package = lib.mkForce (import ${join(tmp, "pkgs-dc.nix")}); hardware.nvidia.nvidiaSettings = true; }`);
    writeFileSync(join(tmp, "pkgs-dc.nix"), `{ type = "derivation"; name = "nvidia-dc-565.57.01"; outPath = "/nix/store/x"; settings = null; persistenced = null; }`);
    await expect(evaluate(file)).rejects.toThrow(/not of type `package'|is not of type/);
  });
});
