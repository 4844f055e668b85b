// --root DIR never acts on the running host: without NIXI_ROOT_EXEC=1 no system program from PATH
// runs (a rebuild is staged, imperative commands are refused), and live data is labelled as the host's.
// Through the built CLI (`npm run build` first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runBin } from "../helpers/run.js";
import { cleanupRoots, makeRoot, treeHash } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
afterAll(cleanupRoots);

let shims = "";
let log = "";
beforeAll(() => {
  // a `mount` that logs (the real one would mount on this host)
  shims = makeRoot({}, { bare: true });
  log = join(shims, "calls.log");
  writeFileSync(join(shims, "mount"), `#!/bin/sh\necho "mount $*" >> ${log}\n`);
  chmodSync(join(shims, "mount"), 0o755);
});
const calls = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
// NIXI_FAKE_STATE: a fake that did run (a regression) keeps its state here, not in the fixtures
const noExec = (extra: Record<string, string> = {}) => ({ path: [shims, FAKES], env: { NIXI_ROOT_EXEC: undefined, NIXI_FAKE_LOG: log, NIXI_FAKE_STATE: shims, ...extra } });
const withExec = () => ({ path: [shims, FAKES], env: { NIXI_ROOT_EXEC: "1", NIXI_FAKE_LOG: log, NIXI_FAKE_STATE: shims } });

describe("--root DIR without NIXI_ROOT_EXEC=1", () => {
  it("a change is written under DIR and staged: nixos-rebuild does not run", async () => {
    const root = makeRoot();
    writeFileSync(log, "");
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, noExec());
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.plan.rebuild).toBe(false);
    expect(r.json.plan.commands).not.toContain("nixos-rebuild switch");
    expect(r.json.plan.summary.join("\n")).toContain(`staged under --root ${root}`);
    expect(r.json.plan.summary.join("\n")).toContain(`nixos-install --root ${root}`);
    expect(readFileSync(join(root, "etc/nixos/nixi/firewall.nix"), "utf8")).toContain("8080");
    expect(calls()).toBe("");
    // the same with NIXI_ROOT_EXEC=1 rebuilds (the fake stands in for the chroot-style tool)
    const root2 = makeRoot();
    const r2 = await runBin(`fw open 8080 --yes --json --root ${root2}`, withExec());
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(r2.json.plan.rebuild).toBe(true);
    expect(calls()).toMatch(/^nixos-rebuild switch$/m);
  });

  it("system rebuild stages too", async () => {
    const root = makeRoot();
    writeFileSync(log, "");
    expect((await runBin(`fw open 8080 --yes --no-rebuild --root ${root}`, noExec())).exitCode).toBe(0);
    const r = await runBin(`system rebuild --yes --json --root ${root}`, noExec());
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.json.plan.rebuild).toBe(false);
    expect(calls()).toBe("");
  });

  it.each([
    ["mount mount /dev/sdz1 /mnt/data", /mount|mkdir|test/],
    ["system reboot --yes", /shutdown|reboot|systemctl/],
    ["channel add extra https://channels.example.org/x --yes", /nix-channel/],
    ["service restart nginx", /systemctl/],
  ])("`%s` is refused (exit 4) and runs nothing", async (cmd) => {
    const root = makeRoot();
    writeFileSync(log, "");
    const before = treeHash(root);
    const r = await runBin(`${cmd} --json --root ${root}`, noExec());
    expect(r.exitCode, r.stdout + r.stderr).toBe(4);
    expect(r.json.command).toBe(cmd.split(" ").slice(0, 2).join(" "));
    expect(r.json.error.message).toContain(`under --root ${root} nixi does not run`);
    expect(r.json.error.message).toContain("running host");
    expect(r.json.error.hint).toContain("NIXI_ROOT_EXEC=1");
    expect(calls()).toBe("");
    expect(treeHash(root)).toBe(before);
  });

  it.each(["system reboot", "system rollback", "system upgrade", "system gc"])("`%s --dry-run` predicts the refusal instead of planning on the host", async (cmd) => {
    const root = makeRoot();
    writeFileSync(log, "");
    const r = await runBin(`${cmd} --dry-run --json --root ${root}`, noExec());
    expect(r.exitCode, r.stdout).toBe(4);
    expect(r.json.error.message).toContain(`under --root ${root} nixi does not run`);
    expect(r.json.error.message).not.toContain("no system generations");
    expect(calls()).toBe("");
  });

  it("an operate command's --dry-run predicts the refusal", async () => {
    const root = makeRoot();
    writeFileSync(log, "");
    const r = await runBin(`service restart nginx --dry-run --json --root ${root}`, noExec());
    expect(r.exitCode, r.stdout).toBe(4);
    expect(r.json.error.message).toContain(`under --root ${root} nixi does not run`);
    expect(calls()).toBe("");
  });

  it("fw list and mount list show DIR's declared state and say the live part was not read", async () => {
    const root = makeRoot();
    expect((await runBin(`fw open 8443 --yes --no-rebuild --root ${root}`, noExec())).exitCode).toBe(0);
    writeFileSync(log, "");
    const fw = await runBin(`fw list --json --root ${root}`, noExec());
    expect(fw.exitCode, fw.stderr).toBe(0);
    expect(fw.json.data.declared).toEqual([{ proto: "tcp", from: 8443, to: 8443, interface: null }]);
    expect(fw.json.data.liveSource).toBe(null);
    expect(fw.json.warnings.join("\n")).toMatch(/live rules not shown: under --root .* nixi does not run `nft/);
    const human = await runBin(`mount list --root ${root}`, noExec());
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/mounted state not shown: under --root .* does not run `findmnt/);
    expect(calls()).toBe("");
  });
});

describe("--root DIR with NIXI_ROOT_EXEC=1: live data is labelled as the host's", () => {
  it("fw list warns that live rules are the running host's", async () => {
    const root = makeRoot();
    // an nft that prints an empty ruleset
    const nft = makeRoot({}, { bare: true });
    writeFileSync(join(nft, "nft"), `#!/bin/sh\n[ "$*" = "-j list ruleset" ] || exit 99\necho '{"nftables":[]}'\n`);
    chmodSync(join(nft, "nft"), 0o755);
    const r = await runBin(`fw list --json --root ${root}`, { path: [nft], env: { NIXI_ROOT_EXEC: "1" } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.liveSource).toBe("nft");
    expect(r.json.warnings).toContain(`live rules are the running host's, not those of --root ${root}`);
  });
});

describe("a flake under --root: git add runs in DIR's /etc/nixos", () => {
  it("nixi's files are tracked in DIR's repository, also without NIXI_ROOT_EXEC", async () => {
    const root = makeRoot({ "/etc/nixos/flake.nix": "{ outputs = { self, nixpkgs }: { nixosConfigurations.x = nixpkgs.lib.nixosSystem { modules = [ ./configuration.nix ]; }; }; }\n", "/etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
    const etc = join(root, "etc/nixos");
    execFileSync("git", ["init", "-q", etc]);
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, noExec());
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.warnings).toEqual([]);
    const tracked = execFileSync("git", ["ls-files"], { cwd: etc, encoding: "utf8" }).split("\n");
    expect(tracked).toEqual(expect.arrayContaining(["nixi/firewall.nix", "nixi/state.toml", "nixi/default.nix"]));
  });
});

describe("a change the rebuilt system would not contain is refused (nixi init not run)", () => {
  const plain = "{ config, pkgs, ... }:\n{\n  imports = [ ./hardware-configuration.nix ];\n  # ./nixi is mentioned only in this comment\n}\n";
  it.each([
    ["configuration.nix without ./nixi", { "/etc/nixos/configuration.nix": plain }, /configuration\.nix does not import nixi's folder \.\/nixi/],
    ["a flake whose modules do not name ./nixi", { "/etc/nixos/flake.nix": "{ outputs = { self, nixpkgs }: { nixosConfigurations.x = nixpkgs.lib.nixosSystem { modules = [ ./host.nix ]; }; }; }\n" }, /flake\.nix does not import nixi's folder/],
    ["a flake and a configuration.nix, neither naming ./nixi", { "/etc/nixos/flake.nix": "{ outputs = _: { }; }\n", "/etc/nixos/configuration.nix": plain }, /does not import nixi's folder/],
    ["no /etc/nixos at all", {}, /neither \/etc\/nixos\/configuration\.nix nor \/etc\/nixos\/flake\.nix exists \(is this a NixOS machine\?\)/],
  ])("%s: exit 4 with a hint to run nixi init, nothing written, no rebuild", async (_name, files, why) => {
    const root = makeRoot(files as Record<string, string>, { bare: true });
    writeFileSync(log, "");
    const before = treeHash(root);
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, withExec());
    expect(r.exitCode, r.stdout + r.stderr).toBe(4);
    expect(r.json.ok).toBe(false);
    expect(r.json.error.code).toBe("NOT_INITIALIZED");
    expect(r.json.error.message).toMatch(why);
    expect(r.json.error.hint).toContain("nixi init");
    expect(treeHash(root)).toBe(before);
    expect(calls()).toBe("");
    const human = await runBin(`fw open 8080 --yes --root ${root}`, withExec());
    expect(human.exitCode).toBe(4);
    expect(human.stdout).not.toContain("✓");
    expect(human.stderr).toContain("nixi init");
  });

  it("a flake that lists ./nixi among its modules is fine", async () => {
    const root = makeRoot({ "/etc/nixos/flake.nix": "{ outputs = { self, nixpkgs }: { nixosConfigurations.x = nixpkgs.lib.nixosSystem { modules = [ ./host.nix ./nixi ]; }; }; }\n" });
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, withExec());
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.plan.rebuild).toBe(true);
  });

  it("--no-rebuild stages, with a loud warning in --json and on stderr", async () => {
    const root = makeRoot({ "/etc/nixos/configuration.nix": plain });
    const r = await runBin(`fw open 8080 --yes --no-rebuild --json --root ${root}`, withExec());
    expect(r.exitCode).toBe(0);
    expect(r.json.warnings.join("\n")).toMatch(/not in effect after a rebuild: .*does not import nixi's folder.*nixi init/);
    const h = await runBin(`fw open 8081 --yes --no-rebuild --root ${root}`, withExec());
    expect(h.stderr).toMatch(/warning: staged, but not in effect after a rebuild/);
  });

  it("after nixi init the same change applies", async () => {
    const root = makeRoot({ "/etc/nixos/configuration.nix": plain });
    expect((await runBin(`init --yes --root ${root}`, withExec())).exitCode).toBe(0);
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, withExec());
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.json.warnings).toEqual([]);
  });
});
