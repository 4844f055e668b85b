// Issue #9 item 13 ("low, but users notice"), through the built CLI (`npm run build` first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBin } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { cleanupRoots, makeRoot, treeHash } from "../helpers/tree.js";
import { cleanup, makeKey, startSshd, type Sshd } from "../helpers/sshd.js";
import { describeCall } from "../../src/exec/recording.js";

afterAll(cleanupRoots);

describe("--json without --yes on a change", () => {
  it("exit 3, and the error envelope carries the plan", async () => {
    const root = makeRoot();
    const before = treeHash(root);
    const r = await runBin(`fw open 8080 --json --root ${root}`);
    expect(r.exitCode).toBe(3);
    expectEnvelope(r.json);
    expect(r.json.error.code).toBe("CONFIRMATION_REQUIRED");
    expect(r.json.plan.summary).toContain("open 8080/tcp");
    expect(r.json.plan.files.map((f: any) => f.path)).toContain("/etc/nixos/nixi/firewall.nix");
    expect(treeHash(root)).toBe(before);
  });
});

describe("-q and -v on a change", () => {
  it("-q prints nothing on success; -v prints the applied plan with its diffs", async () => {
    const root = makeRoot();
    const q = await runBin(`fw open 8080 --yes --no-rebuild -q --root ${root}`);
    expect(q.exitCode).toBe(0);
    expect(q.stdout).toBe("");
    const plain = await runBin(`fw open 8081 --yes --no-rebuild --root ${root}`);
    expect(plain.stdout).toContain("✓ open 8081/tcp");
    expect(plain.stdout).not.toContain("+++ b/etc/nixos/nixi/firewall.nix");
    const v = await runBin(`fw open 8082 --yes --no-rebuild -v --root ${root}`);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toContain("open 8082/tcp");
    expect(v.stdout).toContain("+++ b/etc/nixos/nixi/firewall.nix");
    expect(v.stdout).toMatch(/^\+.*8082/m);
  });
});

describe("usage errors and --version", () => {
  it("the envelope names the command, not a global option's value", async () => {
    const root = makeRoot();
    const r = await runBin(`--json --root ${root} fw list --bogus`);
    expect(r.exitCode).toBe(2);
    expect(r.json.command).toBe("fw list");
    const r2 = await runBin(`--root ${root} --json --node local fw open`);
    expect(r2.json.command).toBe("fw open");
  });

  it("--version --json prints JSON; --version alone prints the bare version", async () => {
    const j = await runBin("--version --json");
    expect(j.exitCode).toBe(0);
    expect(j.json).toMatchObject({ ok: true, data: { name: "nixi", version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    expectEnvelope(j.json);
    const t = await runBin("--version");
    expect(t.stdout).toBe(j.json.data.version + "\n");
  });
});

describe("plans show argv exactly as run", () => {
  it("operate --dry-run: no sudo when nixi runs as root", async () => {
    if (process.getuid?.() !== 0) throw new Error("this test runs as root (the project's test machine)");
    const root = makeRoot();
    const r = await runBin(`service restart nginx --dry-run --json --root ${root}`, { path: [fileURLToPath(new URL("../fakes", import.meta.url))] });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.json.plan.commands).toEqual(["systemctl restart nginx.service"]);
  });
  it("shell-quoted words, `sudo -n --` only where the executor adds it", () => {
    const c = { kind: "run" as const, argv: ["echo", "a b", "it's", "$(x)"], privileged: true, hasInput: false };
    expect(describeCall(c, false)).toBe(`echo 'a b' 'it'\\''s' '$(x)'`);
    expect(describeCall(c, true)).toBe(`sudo -n -- echo 'a b' 'it'\\''s' '$(x)'`);
  });
});

describe("--dry-run on a monitored node predicts the refusal (exit 4)", () => {
  let sshd: Sshd;
  let cfg = "";
  let home = "";
  let remote = "";
  beforeAll(async () => {
    const work = makeRoot({}, { bare: true });
    home = join(work, "home");
    const key = makeKey(join(home, ".ssh"));
    sshd = await startSshd({ authorizedKeys: [key.publicKey] });
    remote = join(work, "remote");
    mkdirSync(join(remote, "etc/nixos"), { recursive: true });
    writeFileSync(join(remote, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
    cfg = join(work, "config.toml");
    writeFileSync(cfg, `[ssh]\nconnect_timeout = 5\n[nixos]\ndir = "${remote}/etc/nixos/nixi"\nconfiguration = "${remote}/etc/nixos/configuration.nix"\n\n[[nodes]]\nname = "mon"\nhost = "127.0.0.1"\nport = ${sshd.port}\nuser = "root"\nmode = "monitored"\n`);
  });
  afterAll(cleanup);
  const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg });

  it.each([
    ["fw open 8080", "change"],
    ["system reboot", "imperative change"],
    ["service restart nginx", "operate"],
  ])("%s (%s)", async (cmd) => {
    const before = treeHash(remote);
    const r = await runBin(`${cmd} --node mon --dry-run --json`, { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(4);
    expectEnvelope(r.json);
    expect(r.json.error.code).toBe("MONITORED");
    expect(r.json.error.message).toBe("node mon is monitored (read-only): this change would be refused");
    expect(r.json.plan).toBeTruthy();
    expect(treeHash(remote)).toBe(before);
  });

  it("a read command on it still works", async () => {
    const r = await runBin(`fw list --node mon --json`, { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  });
});
