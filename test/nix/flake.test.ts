// flake.nix's outputs, evaluated with the real nixpkgs lib and a stand-in for the rest of nixpkgs
// (none is available here): legacyPackages with the real lib.callPackageWith over stand-in builders,
// a nixpkgs source whose fetchurl mirror list has an npm entry, and lib.nixosSystem as
// lib.evalModules over the NixOS options the module sets (test/helpers/nixos-decls.ts).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nixEnv } from "../helpers/nix.js";
import { NIXOS_DECLS } from "../helpers/nixos-decls.js";
import { REPO } from "../helpers/run.js";
import { NIXPKGS_LIB as LIB } from "../helpers/nixos-tree.js";

const work = mkdtempSync(join(tmpdir(), "nixi-flake-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// a nixpkgs source tree with just the mirror list package.nix reads
const nixpkgsPath = join(work, "nixpkgs");
mkdirSync(join(nixpkgsPath, "pkgs/build-support/fetchurl"), { recursive: true });
writeFileSync(join(nixpkgsPath, "pkgs/build-support/fetchurl/mirrors.nix"), '{ gnu = [ "https://gnu.invalid/" ]; npm = [ "https://mirror.invalid/" ]; }\n');

const DEV_SHELL_PACKAGES = ["nodejs", "nix", "nftables", "iproute2", "iptables", "podman", "runc", "openssh", "util-linux", "e2fsprogs", "zsh", "fish", "tmux", "bash-completion", "groff", "man-db", "hyperfine", "git"];

function evalFlake(): any {
  const expr = `let
    lib = import ${LIB};
    systems = [ "x86_64-linux" "aarch64-linux" ];
    drv = name: extra: { type = "derivation"; inherit name; outPath = "/nix/store/00000000000000000000000000000000-\${name}"; } // extra;
    pkgsFor = system: let pkgs = lib.genAttrs ${JSON.stringify(DEV_SHELL_PACKAGES).replace(/,/g, " ")} (n: drv n { }) // {
      inherit lib;
      path = ${nixpkgsPath};
      stdenv.hostPlatform.system = system;
      callPackage = lib.callPackageWith pkgs;
      buildNpmPackage = a: drv "\${a.pname}-\${a.version}" { inherit (a) passthru meta; };
      importNpmLock = { __functor = _: a: a; npmConfigHook = "npmConfigHook"; };
      installShellFiles = drv "install-shell-files" { };
      mkShell = a: drv "nix-shell" a;
      runCommand = name: env: script: drv name (env // { inherit script; });
    }; in pkgs;
    extraDecls = { lib, ... }: {
      options.boot.isContainer = lib.mkOption { type = lib.types.bool; default = false; };
      options.system.stateVersion = lib.mkOption { type = lib.types.str; };
    };
    nixpkgs = {
      lib = lib // { nixosSystem = { system, modules }: lib.evalModules { modules = modules ++ [ (${NIXOS_DECLS}) extraDecls { _module.args.pkgs = pkgsFor system; } ]; }; };
      legacyPackages = lib.genAttrs systems pkgsFor;
    };
    flake = import ${join(REPO, "flake.nix")};
    self = flake.outputs { inherit self nixpkgs; } // { outPath = ${REPO.replace(/\/$/, "")}; };
    x = "x86_64-linux";
    pkg = self.packages.\${x}.default;
    system = nixpkgs.lib.nixosSystem { system = x; modules = [ self.nixosModules.default { services.nixi.enable = true; } ]; };
  in {
    inputs = lib.attrNames flake.inputs;
    outputs = lib.attrNames (removeAttrs self [ "outPath" ]);
    packages = lib.mapAttrs (_: lib.attrNames) self.packages;
    package = { inherit (pkg) name; registry = pkg.passthru.packageLock.packages."node_modules/ssh2".resolved; main = pkg.meta.mainProgram; };
    sameDrv = self.packages.\${x}.nixi.outPath == pkg.outPath;
    app = self.apps.\${x}.default;
    overlay = ((self.overlays.default (pkgsFor x) { }).nixi).name;
    modules = lib.attrNames self.nixosModules;
    moduleInstalls = map (p: p.name) system.config.environment.systemPackages;
    devShell = map (p: p.name) self.devShells.\${x}.default.packages;
    checks = lib.mapAttrs (_: lib.attrNames) self.checks;
    checkPackage = self.checks.\${x}.package.name;
    checkModule = { inherit (self.checks.\${x}.module) toml script; sudo = builtins.fromJSON self.checks.\${x}.module.sudo; };
  }`;
  const r = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: nixEnv(), encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`nix-instantiate failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("flake.nix with the real nixpkgs lib", () => {
  const f = evalFlake();
  const version = JSON.parse(spawnSync("cat", [join(REPO, "package.json")], { encoding: "utf8" }).stdout).version;

  it("has the outputs the issue lists, for both Linux systems", () => {
    expect(f.inputs).toEqual(["nixpkgs"]);
    expect(f.outputs).toEqual(["apps", "checks", "devShells", "nixosModules", "overlays", "packages"]);
    expect(f.packages).toEqual({ "aarch64-linux": ["default", "nixi"], "x86_64-linux": ["default", "nixi"] });
    expect(f.modules).toEqual(["default", "nixi"]);
    expect(f.checks).toEqual({ "aarch64-linux": ["module", "package"], "x86_64-linux": ["module", "package"] });
  });

  it("packages.default is nix/package.nix through callPackage, with the registry from nixpkgs' npm mirror", () => {
    expect(f.package.name).toBe(`nixi-${version}`);
    expect(f.package.main).toBe("nixi");
    expect(f.package.registry).toMatch(/^https:\/\/mirror\.invalid\/ssh2\/-\/ssh2-[0-9.]+\.tgz$/);
    expect(f.sameDrv).toBe(true);
    expect(f.overlay).toBe(`nixi-${version}`);
    expect(f.checkPackage).toBe(`nixi-${version}`);
  });

  it("apps.default runs the package's bin/nixi", () => {
    expect(f.app).toEqual({ type: "app", program: `/nix/store/00000000000000000000000000000000-nixi-${version}/bin/nixi` });
  });

  it("nixosModules.default is services.nixi with this flake's package as its default", () => {
    expect(f.moduleInstalls).toEqual([`nixi-${version}`]);
  });

  it("checks.module evaluates a NixOS system with services.nixi and greps what it produced", () => {
    expect(f.checkModule.toml).toContain('name = "web1"');
    expect(f.checkModule.sudo.length).toBeGreaterThan(0);
    expect(JSON.stringify(f.checkModule.sudo)).toContain("NOPASSWD");
    expect(f.checkModule.script).toContain("grep -q 'name = \"web1\"'");
  });

  it("devShells.default has node and the programs the tests use", () => {
    expect(f.devShell).toEqual(DEV_SHELL_PACKAGES);
  });
});
