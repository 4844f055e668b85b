// security harden: hardening.nix holds only verified option paths (checked against ../shared/nixos)
// and evaluates with the real nixpkgs lib's module system; the plan lists each option and why; it
// refuses to turn password login off when the user nixi logs in as has no key; --undo removes a fix.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, read } from "../helpers/tree.js";
import { evalNix } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";
import { FIXES } from "../../src/security/hardening/fixes.js";

const LIB = fileURLToPath(new URL("../../../shared/nixos/nixpkgs-lib/lib", import.meta.url));
afterAll(cleanupRoots);

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin@laptop";
const PASSWD = "root:x:0:0:root:/root:/bin/sh\n";
const env = { USER: "root", SUDO_USER: undefined };
const ALL = FIXES.map((f) => `--check ${f.id}`).join(" ");

// the options hardening.nix sets, declared with the real lib.types as NixOS declares them (types from nixos-options.json / the catalog)
const DECLS = `
  let t = lib.types; b = lib.mkOption { type = t.bool; default = false; }; nb = lib.mkOption { type = t.nullOr t.bool; default = null; };
      nls = lib.mkOption { type = t.nullOr (t.listOf t.str); default = null; }; in {
  networking.firewall.enable = b;
  services.openssh.settings = lib.mkOption { type = t.submodule { freeformType = t.attrsOf (t.nullOr (t.oneOf [ t.bool t.int t.str (t.listOf t.str) ])); options = {
    PasswordAuthentication = nb; KbdInteractiveAuthentication = nb; X11Forwarding = nb;
    PermitRootLogin = lib.mkOption { type = t.nullOr (t.enum [ "yes" "without-password" "prohibit-password" "forced-commands-only" "no" ]); default = "prohibit-password"; };
    Ciphers = nls; Macs = nls; KexAlgorithms = nls; }; }; default = { }; };
  services.fail2ban.enable = b; system.autoUpgrade.enable = b; security.auditd.enable = b;
  security.audit.enable = lib.mkOption { type = t.enum [ false true "lock" ]; default = false; };
  security.sudo.wheelNeedsPassword = b; security.sudo.execWheelOnly = b;
  nix.settings = lib.mkOption { type = t.submodule { freeformType = t.attrsOf t.anything; options.sandbox = lib.mkOption { type = t.either t.bool (t.enum [ "relaxed" ]); default = true; }; }; default = { }; };
  boot.kernel.sysctl = lib.mkOption { type = t.attrsOf (t.nullOr (t.oneOf [ t.bool t.str t.int ])); default = { }; };
}`;

function evalWithRealLib(file: string): any {
  const expr = `let lib = import ${LIB}; in (lib.evalModules { modules = [ { options = ${DECLS}; } (import ${file}) ]; }).config`;
  const out = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: { ...process.env, NIX_CONFIG: "build-users-group =" } }).toString();
  return JSON.parse(out);
}

describe("security harden", () => {
  it("every fix: verified option paths, evaluates with the real module system, the plan says why", async () => {
    const root = makeRoot({ "etc/passwd": PASSWD, "root/.ssh/authorized_keys": KEY + "\n" });
    const r = await run(`security harden ${ALL} --yes --no-rebuild --json --root ${root}`, { env });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.json.data.added.sort()).toEqual(FIXES.map((f) => f.id).sort());
    const summary = r.json.plan.summary.join("\n");
    expect(summary).toContain("root keeps key login (/root/.ssh/authorized_keys)");
    expect(summary).toMatch(/services\.openssh\.settings\.PasswordAuthentication to false \(passwords can be guessed/);
    expect(summary).toMatch(/boot\.kernel\.sysctl\."kernel\.kptr_restrict" to 2/);
    expect(read(root, "etc/nixos/nixi/state.toml")).toMatch(/\[hardening\]\nfixes = \[/);
    const value = await evalNix(root, "hardening.nix");
    expect(checkOptionPaths(value)).toEqual([]);
    const cfg = evalWithRealLib(join(root, "etc/nixos/nixi/hardening.nix"));
    expect(cfg.services.openssh.settings).toMatchObject({ PasswordAuthentication: false, PermitRootLogin: "prohibit-password" });
    expect(cfg.boot.kernel.sysctl["kernel.kptr_restrict"]).toBe(2);
    expect(cfg.networking.firewall.enable).toBe(true);
    expect(cfg.nix.settings.sandbox).toBe(true);
    // root keeps key login: PermitRootLogin is never "no", PubkeyAuthentication is never touched
    expect(JSON.stringify(cfg)).not.toMatch(/PubkeyAuthentication/);
  }, 60_000);

  it("refuses to turn password login off when the login user has no authorized key (exit 4, nothing changed)", async () => {
    const root = makeRoot({ "etc/passwd": PASSWD });
    const before = treeHash(root);
    for (const id of ["ssh-password-auth", "ssh-kbd-interactive"]) {
      const r = await run(`security harden --check ${id} --yes --no-rebuild --json --root ${root}`, { env });
      expect(r.exitCode).toBe(4);
      expect(r.json.error.message).toMatch(/root .*has no authorized SSH key.*lock you out/);
      expect(r.json.error.hint).toContain("nixi user ssh-key add root");
    }
    expect(treeHash(root)).toBe(before);
    // a fix that cannot lock anyone out still works
    expect((await run(`security harden --check sysctl-dmesg-restrict --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
  });

  it("--undo removes a fix; removing the last one removes hardening.nix; unknown ids are exit 2", async () => {
    const root = makeRoot({ "etc/passwd": PASSWD });
    expect((await run(`security harden --check fail2ban --check auditd --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
    let r = await run(`security harden --undo fail2ban --yes --no-rebuild --json --root ${root}`, { env });
    expect(r.json.data.fixes).toEqual(["auditd"]);
    expect(read(root, "etc/nixos/nixi/hardening.nix")).not.toContain("fail2ban");
    r = await run(`security harden --undo auditd --yes --no-rebuild --json --root ${root}`, { env });
    expect(r.exitCode).toBe(0);
    expect(() => read(root, "etc/nixos/nixi/hardening.nix")).toThrow();
    expect((await run(`security harden --check nope --yes --root ${root}`, { env })).exitCode).toBe(2);
    expect((await run(`security harden --undo fail2ban --yes --root ${root}`, { env })).exitCode).toBe(2);
  });

  it("with harden's SSH fix in state, opening SSH is no longer an insecure request", async () => {
    const root = makeRoot({ "etc/passwd": PASSWD, "root/.ssh/authorized_keys": KEY + "\n" });
    expect((await run(`fw open 22 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(4);
    expect((await run(`security harden --check ssh-password-auth --check ssh-kbd-interactive --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
    expect((await run(`fw open 22 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
  });
});
