// A small <nixpkgs/nixos>-shaped tree for evaluation tests, built on the REAL nixpkgs lib
// (../shared/nixos/nixpkgs-lib/lib): nixos/default.nix runs lib.evalModules over the machine's
// configuration.nix plus a base module that declares a few NixOS options with real lib.types.
// Put `nixpkgs=<tree>/nixpkgs` on NIX_PATH; nixi then evaluates it as it would a channel system.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { hostname } from "node:os";

export const NIXPKGS_LIB = resolve(import.meta.dirname, "../../../shared/nixos/nixpkgs-lib/lib");

const BASE = `{ lib, ... }:
let t = lib.types; in {
  options = {
    networking.hostName = lib.mkOption { type = t.str; default = "nixos"; description = "The name of the machine."; };
    networking.firewall.enable = lib.mkOption { type = t.bool; default = true; description = "Whether to enable the firewall."; };
    networking.firewall.allowedTCPPorts = lib.mkOption { type = t.listOf t.port; default = [ ]; description = "Open TCP ports."; };
    system.stateVersion = lib.mkOption { type = t.str; default = "25.05"; description = "The NixOS release of the first install."; };
    boot.kernel.sysctl = lib.mkOption { type = t.attrsOf (t.nullOr (t.oneOf [ t.bool t.str t.int ])); default = { }; description = "sysctl parameters."; };
    services.openssh.enable = lib.mkOption { type = t.bool; default = false; description = "Whether to enable sshd."; };
    services.openssh.settings = lib.mkOption {
      description = "sshd_config settings.";
      default = { };
      type = t.submodule {
        freeformType = t.attrsOf (t.nullOr (t.oneOf [ t.bool t.int t.str ]));
        options.PasswordAuthentication = lib.mkOption { type = t.nullOr t.bool; default = true; description = "Password authentication."; };
      };
    };
  };
}
`;

/** The user's own module: options no catalog has. */
const MYAPP = `{ lib, config, ... }:
let t = lib.types; in {
  options.services.myapp = {
    enable = lib.mkEnableOption "myapp";
    port = lib.mkOption { type = t.port; default = 8080; description = "Port myapp listens on."; };
    mode = lib.mkOption { type = t.enum [ "fast" "safe" ]; default = "safe"; description = "How myapp runs."; };
    version = lib.mkOption { type = t.str; default = "1.0"; description = "Version string."; };
    # the type's description says "signed integer" but the check is stricter: only evaluation knows
    workers = lib.mkOption { type = t.addCheck t.int (n: n >= 10); default = 16; description = "Worker count (at least 10)."; };
    apiPassword = lib.mkOption { type = t.nullOr t.str; default = null; description = "Demo secret-named option."; };
  };
}
`;

export interface NixosTree {
  /** Folder holding nixpkgs/ (put nixpkgs=<dir>/nixpkgs on NIX_PATH). */
  dir: string;
  /** The machine root for --root (etc/NIXOS, etc/nixos/configuration.nix, etc/nixos/nixi/). */
  root: string;
  env: Record<string, string>;
  cleanup(): void;
}

/** opts.block: nixos/default.nix reads a FIFO nobody writes (evaluation never finishes: timeout tests).
 *  opts.flake: /etc/nixos is a flake whose nixosConfigurations.<this host> is the same evaluation. */
export function makeNixosTree(opts: { block?: boolean; configuration?: string; flake?: boolean } = {}): NixosTree {
  const dir = mkdtempSync(join(tmpdir(), `nixi-tree-${process.pid}-`));
  const nixpkgs = join(dir, "nixpkgs");
  mkdirSync(join(nixpkgs, "nixos/modules"), { recursive: true });
  symlinkSync(NIXPKGS_LIB, join(nixpkgs, "lib"));
  let block = "";
  if (opts.block) {
    execFileSync("mkfifo", [join(dir, "fifo")]);
    block = `builtins.seq (builtins.readFile ${JSON.stringify(join(dir, "fifo"))}) `;
  }
  writeFileSync(
    join(nixpkgs, "nixos/default.nix"),
    `{ configuration ? import <nixos-config> }:
let
  lib = import ../lib;
  eval = lib.evalModules { modules = [ configuration ./modules/base.nix ]; };
in ${block}{ inherit (eval) config options; }
`,
  );
  writeFileSync(join(nixpkgs, "nixos/modules/base.nix"), BASE);
  const root = join(dir, "root");
  mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
  writeFileSync(join(root, "etc/NIXOS"), "");
  writeFileSync(join(root, "etc/nixos/myapp.nix"), MYAPP);
  writeFileSync(
    join(root, "etc/nixos/configuration.nix"),
    opts.configuration ?? `{ ... }: {\n  imports = [ ./nixi ./myapp.nix ];\n  services.myapp.mode = "fast";\n  networking.hostName = "web1";\n}\n`,
  );
  if (opts.flake) {
    writeFileSync(
      join(root, "etc/nixos/flake.nix"),
      `{\n  outputs = { self }: {\n    nixosConfigurations.${JSON.stringify(hostname().split(".")[0])} = (import <nixpkgs/lib>).evalModules { modules = [ ./configuration.nix <nixpkgs/nixos/modules/base.nix> ]; };\n  };\n}\n`,
    );
  }
  // as after `nixi init`: an empty nixi folder module
  writeFileSync(join(root, "etc/nixos/nixi/default.nix"), "# Generated by nixi from state.toml (an empty folder of nixi's, as after nixi init).\n{\n  imports = [ ];\n}\n");
  return {
    dir,
    root,
    env: { NIX_PATH: `nixpkgs=${nixpkgs}`, NIX_CONFIG: "build-users-group =", NIXI_ROOT_EXEC: "1" },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
