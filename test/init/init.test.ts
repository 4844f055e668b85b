// nixi init through the real CLI entry: imports ./nixi once, keeps a backup, creates the folder.
import { describe, expect, it } from "vitest";
import { readFile, readdir, writeFile, stat } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { evalModuleTree, parseNix } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";
import { assertEnvelope, CONFIGURATION_NIX, hashTree, makeRoot } from "../config/fixture.js";
import { addImport } from "../../src/nixos/imports.js";

const HW = "{ config, lib, pkgs, modulesPath, ... }:\n{\n  boot.initrd.availableKernelModules = [ \"ahci\" ];\n}\n";
const conf = (root: string) => join(root, "etc/nixos/configuration.nix");
const exists = (p: string) => stat(p).then(() => true, () => false);

describe("nixi init", () => {
  it("adds ./nixi to a stock configuration.nix once, keeps a backup, creates the folder", async () => {
    const root = await makeRoot({ "etc/nixos/configuration.nix": CONFIGURATION_NIX, "etc/nixos/hardware-configuration.nix": HW });
    const r = await run(`init --yes --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    assertEnvelope(r.json);
    expect(r.json).toMatchObject({ ok: true, command: "init", changed: true, data: { entry: "./nixi", imports: "appended", configuration: "/etc/nixos/configuration.nix" } });
    const text = await readFile(conf(root), "utf8");
    expect(text).toBe(
      CONFIGURATION_NIX.replace("      ./hardware-configuration.nix\n", "      ./hardware-configuration.nix\n      ./nixi\n"),
    );
    // the backup is the original, byte for byte, in a dot-folder of nixi's folder
    const backups = await readdir(join(root, "etc/nixos/nixi/.backup"));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^configuration\.nix\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(r.json.data.backup).toBe(`/etc/nixos/nixi/.backup/${backups[0]}`);
    expect(await readFile(join(root, "etc/nixos/nixi/.backup", backups[0]), "utf8")).toBe(CONFIGURATION_NIX);
    expect(((await stat(join(root, "etc/nixos/nixi/.backup", backups[0]))).mode & 0o777).toString(8)).toBe("600");
    expect((await readdir(join(root, "etc/nixos/nixi"))).filter((f) => !f.startsWith(".")).sort()).toEqual(["default.nix", "state.toml"]);
    expect(r.json.plan.files.find((f: any) => f.path === "/etc/nixos/configuration.nix").diff).toContain("+      ./nixi");

    // the whole configuration parses and evaluates, with nixi's folder imported
    await parseNix(conf(root));
    const v = await evalModuleTree(conf(root));
    expect(v.networking.hostName).toBe("web1");
    expect(checkOptionPaths(v)).toEqual([]);

    // idempotent
    const before = await hashTree(root);
    const again = await run(`init --yes --json --root ${root}`);
    expect(again.exitCode).toBe(0);
    assertEnvelope(again.json);
    expect(again.json).toMatchObject({ ok: true, changed: false, data: { imports: "present", backup: null, created: [] } });
    expect(await hashTree(root)).toBe(before);
    const human = await run(`init --yes --root ${root}`);
    expect(human.stdout).toContain("already there");

    // and nixi's changes now reach the configuration
    const set = await run(`config set services.nginx.enable true --yes --no-rebuild --root ${root}`);
    expect(set.exitCode, set.stderr).toBe(0);
    const after = await evalModuleTree(conf(root));
    expect(after.services.nginx.enable).toBe(true);
    expect(checkOptionPaths(after)).toEqual([]);
  });

  it("--dry-run and a missing --yes change nothing", async () => {
    const root = await makeRoot();
    const before = await hashTree(root);
    const dry = await run(`init --dry-run --root ${root}`);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("+      ./nixi");
    const dj = await run(`init --dry-run --json --root ${root}`);
    assertEnvelope(dj.json);
    expect(dj.json).toMatchObject({ ok: true, dryRun: true, changed: false, data: { imports: "appended" } });
    const noYes = await run(`init --root ${root}`);
    expect(noYes.exitCode).toBe(3);
    const nj = await run(`init --json --root ${root}`);
    expect(nj.exitCode).toBe(3);
    assertEnvelope(nj.json);
    expect(await hashTree(root)).toBe(before);
  });

  it("a configuration.nix without imports gets one right after the body's opening brace", async () => {
    const src = "# my machine\n{ config, pkgs, ... }:\n\n{\n  # comment: imports = [ ./not-this ];\n  environment.etc.x.text = \"imports = [ ./neither ];\";\n  networking.hostName = \"a\";\n}\n";
    const root = await makeRoot({ "etc/nixos/configuration.nix": src });
    const r = await run(`init --yes --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.imports).toBe("inserted");
    expect(await readFile(conf(root), "utf8")).toBe(
      "# my machine\n{ config, pkgs, ... }:\n\n{\n  imports = [ ./nixi ];\n  # comment: imports = [ ./not-this ];\n  environment.etc.x.text = \"imports = [ ./neither ];\";\n  networking.hostName = \"a\";\n}\n",
    );
    expect(await evalModuleTree(conf(root))).toMatchObject({ networking: { hostName: "a" }, environment: { etc: { x: { text: "imports = [ ./neither ];" } } } });
  });

  it("on a flake in a git repository, git adds nixi's visible files (not its bookkeeping)", async () => {
    const root = await makeRoot({ "etc/nixos/configuration.nix": CONFIGURATION_NIX, "etc/nixos/hardware-configuration.nix": HW, "etc/nixos/flake.nix": "{ outputs = { self }: { }; }\n" });
    const etc = join(root, "etc/nixos");
    const git = (...a: string[]) => execFileSync("git", ["-C", etc, ...a], { encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: root } });
    git("init", "-q");
    git("add", "configuration.nix", "flake.nix", "hardware-configuration.nix");
    const r = await run(`init --yes --json --root ${root}`, { env: { HOME: root, GIT_CONFIG_NOSYSTEM: "1" } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.gitAdd).toEqual(["nixi/state.toml", "nixi/default.nix", "nixi/.gitignore"]);
    const staged = git("diff", "--cached", "--name-only").split("\n").filter(Boolean).sort();
    expect(staged).toEqual(["configuration.nix", "flake.nix", "hardware-configuration.nix", "nixi/.gitignore", "nixi/default.nix", "nixi/state.toml"]);
    expect(git("status", "--porcelain", "--untracked-files=all")).not.toContain(".backup");
    // second run: nothing to do
    const again = await run(`init --yes --json --root ${root}`, { env: { HOME: root, GIT_CONFIG_NOSYSTEM: "1" } });
    expect(again.json.changed).toBe(false);
  });

  it("a missing configuration.nix is exit 1; an unrecognisable one is exit 1 and left alone", async () => {
    const none = await makeRoot({ "etc/nixos/other.nix": "{ }" });
    const r = await run(`init --yes --json --root ${none}`);
    expect(r.exitCode).toBe(1);
    assertEnvelope(r.json);
    expect(r.json.error.code).toBe("NOT_FOUND");

    for (const src of [
      "{ lib, ... }: lib.mkMerge [ { networking.hostName = \"x\"; } ]\n",
      "{ ... }: { imports = import ./list.nix; }\n",
      "{ ... }: { a = \"unterminated; }\n",
    ]) {
      const root = await makeRoot({ "etc/nixos/configuration.nix": src });
      const before = await hashTree(root);
      const b = await run(`init --yes --json --root ${root}`);
      expect(b.exitCode).toBe(1);
      expect(b.json.error.message).toContain("cannot find where to add ./nixi");
      expect(b.json.error.hint).toContain("imports = [ ./nixi ];");
      expect(await hashTree(root)).toBe(before);
    }
  });

  it("a nixi folder outside /etc/nixos is imported by its absolute path", async () => {
    const root = await makeRoot({ "etc/nixos/configuration.nix": "{ ... }:\n{\n  imports = [ ];\n}\n" });
    const cfg = join(root, "nixi-config.toml");
    await writeFile(cfg, '[nixos]\ndir = "/var/lib/nixi"\n');
    const r = await run(`init --yes --json --root ${root}`, { env: { NIXI_CONFIG: cfg } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.entry).toBe("/var/lib/nixi");
    expect(await readFile(conf(root), "utf8")).toBe("{ ... }:\n{\n  imports = [ /var/lib/nixi ];\n}\n");
    expect(await exists(join(root, "var/lib/nixi/state.toml"))).toBe(true);
    expect((await run(`init --yes --json --root ${root}`, { env: { NIXI_CONFIG: cfg } })).json.changed).toBe(false);
  });

  it("creates the modules an existing state.toml needs", async () => {
    const root = await makeRoot({
      "etc/nixos/configuration.nix": CONFIGURATION_NIX,
      "etc/nixos/nixi/state.toml": 'version = 1\n\n[options]\n"networking.hostName" = "from-state"\n',
    });
    const r = await run(`init --yes --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.created.sort()).toEqual(["/etc/nixos/nixi/default.nix", "/etc/nixos/nixi/options.nix"]);
    expect(await readFile(join(root, "etc/nixos/nixi/state.toml"), "utf8")).toBe('version = 1\n\n[options]\n"networking.hostName" = "from-state"\n');
    expect(await exists(join(root, "etc/nixos/nixi/options.nix"))).toBe(true);
  });
});

describe("addImport (the configuration.nix editor)", () => {
  const cases: Array<[string, string, string]> = [
    ["single-line list", "{ config, pkgs, ... }:\n{\n  imports = [ ./hardware-configuration.nix ];\n}\n", "{ config, pkgs, ... }:\n{\n  imports = [ ./hardware-configuration.nix ./nixi ];\n}\n"],
    ["empty list", "{ ... }: { imports = [ ]; }", "{ ... }: { imports = [ ./nixi ]; }"],
    ["empty list without spaces", "{ ... }: { imports = []; }", "{ ... }: { imports = [ ./nixi ]; }"],
    ["multi-line, ] after the last item", "{\n  imports = [\n    ./a.nix\n    ./b.nix ];\n}\n", "{\n  imports = [\n    ./a.nix\n    ./b.nix ./nixi ];\n}\n"],
    ["multi-line with comments", "{ pkgs, ... }:\n{\n  imports = [\n    # hardware\n    ./hardware-configuration.nix # scan\n    /* more */\n  ];\n}\n", "{ pkgs, ... }:\n{\n  imports = [\n    # hardware\n    ./hardware-configuration.nix # scan\n    /* more */\n    ./nixi\n  ];\n}\n"],
    ["let ... in", "{ pkgs, ... }:\nlet\n  x = { imports = [ ]; };\nin\n{\n  imports = [ ./a.nix ];\n}\n", "{ pkgs, ... }:\nlet\n  x = { imports = [ ]; };\nin\n{\n  imports = [ ./a.nix ./nixi ];\n}\n"],
    ["with lib;", "{ lib, ... }:\nwith lib;\n{\n  services.x.enable = mkDefault true;\n}\n", "{ lib, ... }:\nwith lib;\n{\n  imports = [ ./nixi ];\n  services.x.enable = mkDefault true;\n}\n"],
    ["args@ header", "args@{ pkgs, ... }: {\n  networking.hostName = \"${args.x or \"a\"}\";\n}\n", "args@{ pkgs, ... }: {\n  imports = [ ./nixi ];\n  networking.hostName = \"${args.x or \"a\"}\";\n}\n"],
    ["nested imports are not the top level", "{ ... }: {\n  specialisation.x.configuration = { imports = [ ./y.nix ]; };\n}\n", "{ ... }: {\n  imports = [ ./nixi ];\n  specialisation.x.configuration = { imports = [ ./y.nix ]; };\n}\n"],
    ["indented strings with escapes", "{ ... }: {\n  environment.etc.a.text = ''\n    ''${x} ''' } ]\n  '';\n  imports = [ ./a.nix ];\n}\n", "{ ... }: {\n  environment.etc.a.text = ''\n    ''${x} ''' } ]\n  '';\n  imports = [ ./a.nix ./nixi ];\n}\n"],
    ["plain attrset file", "{\n  imports = [ ./a.nix ];\n}\n", "{\n  imports = [ ./a.nix ./nixi ];\n}\n"],
  ];
  it.each(cases)("%s", async (_name, src, want) => {
    const r = addImport(src, "./nixi");
    expect(r.text).toBe(want);
    expect(addImport(r.text, "./nixi").changed).toBe(false);
  });

  it("the edited files parse with nix-instantiate", async () => {
    const root = await makeRoot({});
    for (const [i, [, , want]] of cases.entries()) {
      await writeFile(join(root, `c${i}.nix`), want);
      await parseNix(join(root, `c${i}.nix`));
    }
  });

  it.each(["./nixi", "./nixi/", "./nixi/default.nix", "/etc/nixos/nixi", '"/etc/nixos/nixi"'])("recognises an existing %s", (e) => {
    const r = addImport(`{ ... }: { imports = [ ./hardware-configuration.nix ${e} ]; }`, "./nixi", ["/etc/nixos/nixi", "./nixi/default.nix"]);
    expect(r.changed).toBe(false);
  });
});
