// The change transaction end to end through the CLI, with the fake nixos-rebuild first on PATH.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, existsSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { run, scriptedPrompter, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots, tempDir, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";

const FAKES = join(REPO, "test/fakes");
afterAll(cleanupRoots);

function fakeEnv(extra: Record<string, string> = {}) {
  const log = join(tempDir("nixi-fakelog-"), "calls.log");
  writeFileSync(log, "");
  return { log, env: { NIXI_FAKE_LOG: log, ...extra }, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

describe("transaction", () => {
  it("writes the files and rebuilds once for several ports", async () => {
    const root = makeRoot();
    const f = fakeEnv();
    const r = await run(`fw open 80 443 8080 --yes --json --root ${root}`, { path: [FAKES], env: f.env });
    expect(r.exitCode).toBe(0);
    const env = expectEnvelope(r.json);
    expect(env).toMatchObject({ ok: true, command: "fw open", changed: true, dryRun: false });
    expect(env.plan.rebuild).toBe(true);
    expect(f.calls()).toEqual(["nixos-rebuild switch"]);
    expect(read(root, `${NIXI_DIR}/state.toml`)).toContain("tcp = [ 80, 443, 8080 ]");
    // the applied generation is recorded for `config diff`
    expect(read(root, `${NIXI_DIR}/.applied/firewall.nix`)).toBe(read(root, `${NIXI_DIR}/firewall.nix`));
    // the lock is released
    expect(existsSync(join(root, NIXI_DIR, ".lock"))).toBe(false);
  });

  it("restores nixi's files byte for byte and exits 6 when the rebuild fails", async () => {
    const root = makeRoot();
    const f = fakeEnv();
    expect((await run(`fw open 22 --insecure --yes --root ${root}`, { path: [FAKES], env: f.env })).exitCode).toBe(0);
    // a hand-formatted state.toml must come back exactly as it was
    const statePath = join(root, NIXI_DIR, "state.toml");
    writeFileSync(statePath, readFileSync(statePath, "utf8") + "# my note, keep me\n");
    const BOOKKEEPING = [".previous", ".failed", ".rebuild.log"];
    const before = treeHash(root, BOOKKEEPING);
    const stateBefore = readFileSync(statePath);
    const failing = fakeEnv({ NIXI_FAKE_REBUILD_FAIL: "1" });
    const r = await run(`fw open 8080 --yes --root ${root}`, { path: [FAKES], env: failing.env });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toContain("nixos-rebuild switch failed");
    expect(r.stderr).toContain("builder for"); // tail of the rebuild log
    expect(failing.calls()).toEqual(["nixos-rebuild switch"]);
    expect(readFileSync(statePath).equals(stateBefore)).toBe(true);
    expect(treeHash(root, BOOKKEEPING)).toBe(before);
    // what was tried is kept for inspection
    expect(read(root, `${NIXI_DIR}/.failed/state.toml`)).toContain("8080");
  });

  it("a failed rebuild also removes the data folders the change created, and secret files", async () => {
    const root = makeRoot();
    expect((await run(`fw open 22 --insecure --yes --root ${root}`, { path: [FAKES] })).exitCode).toBe(0);
    const BOOKKEEPING = [".previous", ".failed", ".rebuild.log"];
    const before = treeHash(root, BOOKKEEPING);
    const r = await run(`container deploy web --image nginx:1.27 --backend podman --volume data:/data --env-secret DB_PASSWORD --yes --root ${root}`, {
      path: [FAKES],
      env: { NIXI_FAKE_REBUILD_FAIL: "1" },
      stdin: "s3cret-value\n",
    });
    expect(r.exitCode, r.stderr).toBe(6);
    expect(existsSync(join(root, "srv/web"))).toBe(false);
    expect(existsSync(join(root, "srv/.credentials/web.env"))).toBe(false);
    expect(treeHash(root, BOOKKEEPING)).toBe(before);
  });

  it("--json error envelope for a failed rebuild carries the log tail", async () => {
    const root = makeRoot();
    const r = await run(`fw open 9000 --yes --json --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_REBUILD_FAIL: "1" } });
    expect(r.exitCode).toBe(6);
    const env = expectEnvelope(r.json);
    expect(env.error.code).toBe("REBUILD_FAILED");
    expect(env.error.details.logTail).toContain("builder for");
    expect(existsSync(join(root, NIXI_DIR, "firewall.nix"))).toBe(false);
  });

  it("--dry-run shows the plan and changes nothing", async () => {
    const root = makeRoot({ [`${NIXI_DIR}/state.toml`]: "version = 1\n" });
    const f = fakeEnv();
    const before = treeHash(root);
    const r = await run(`fw open 8080 --dry-run --root ${root}`, { path: [FAKES], env: f.env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("open 8080/tcp");
    expect(r.stdout).toMatch(/^\+\s+allowedTCPPorts = \[ 8080 \];$/m);
    expect(treeHash(root)).toBe(before);
    expect(f.calls()).toEqual([]);
    const j = await run(`fw open 8080 --dry-run --json --root ${root}`, { path: [FAKES], env: f.env });
    expect(expectEnvelope(j.json)).toMatchObject({ ok: true, dryRun: true, changed: false });
    expect(j.json.plan.files.map((x: any) => x.path)).toContain(`${NIXI_DIR}/firewall.nix`);
    expect(treeHash(root)).toBe(before);
  });

  it("without a TTY and without --yes: exit 3, plan on stderr, nothing changed", async () => {
    const root = makeRoot();
    const before = treeHash(root);
    const r = await run(`fw open 8080 --root ${root}`, { path: [FAKES] });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("--yes");
    expect(r.stderr).toContain("open 8080/tcp");
    expect(treeHash(root)).toBe(before);
    const j = await run(`--json fw open 8080 --root ${root}`, { path: [FAKES] });
    expect(j.exitCode).toBe(3);
    expect(expectEnvelope(j.json).error.code).toBe("CONFIRMATION_REQUIRED");
    expect(treeHash(root)).toBe(before);
  });

  it("asks on a TTY (default no); declining exits 3, accepting applies", async () => {
    const root = makeRoot();
    const before = treeHash(root);
    const no = scriptedPrompter({ confirm: [false] });
    const r = await run(`fw open 8080 --root ${root}`, { path: [FAKES], tty: true, prompter: no });
    expect(r.exitCode).toBe(3);
    expect(no.asked).toHaveLength(1);
    expect(treeHash(root)).toBe(before);
    const yes = scriptedPrompter({ confirm: [true] });
    const ok = await run(`fw open 8080 --root ${root}`, { path: [FAKES], tty: true, prompter: yes });
    expect(ok.exitCode).toBe(0);
    expect(read(root, `${NIXI_DIR}/firewall.nix`)).toContain("8080");
    // --no-input on a TTY behaves like a script
    const ni = await run(`fw open 9090 --no-input --root ${root}`, { path: [FAKES], tty: true, prompter: scriptedPrompter({}) });
    expect(ni.exitCode).toBe(3);
  });

  it("--no-rebuild stages; system rebuild applies with one rebuild", async () => {
    const root = makeRoot();
    const f = fakeEnv();
    expect((await run(`fw open 80 --yes --no-rebuild --root ${root}`, { path: [FAKES], env: f.env })).exitCode).toBe(0);
    expect((await run(`fw open 443 --yes --no-rebuild --root ${root}`, { path: [FAKES], env: f.env })).exitCode).toBe(0);
    expect(f.calls()).toEqual([]);
    expect(existsSync(join(root, NIXI_DIR, ".applied"))).toBe(false);
    const r = await run(`system rebuild --yes --json --root ${root}`, { path: [FAKES], env: f.env });
    expect(r.exitCode).toBe(0);
    expect(expectEnvelope(r.json).changed).toBe(true);
    expect(f.calls()).toEqual(["nixos-rebuild switch"]);
    expect(read(root, `${NIXI_DIR}/.applied/firewall.nix`)).toContain("443");
  });

  it("system rebuild renders hand edits of state.toml", async () => {
    const root = makeRoot({ [`${NIXI_DIR}/state.toml`]: "version = 1\n[firewall]\nudp = [53]\n" });
    const f = fakeEnv();
    const r = await run(`system rebuild --yes --root ${root}`, { path: [FAKES], env: f.env });
    expect(r.exitCode).toBe(0);
    expect(read(root, `${NIXI_DIR}/firewall.nix`)).toContain("allowedUDPPorts");
    expect(read(root, `${NIXI_DIR}/state.toml`)).toBe("version = 1\n[firewall]\nudp = [53]\n"); // not rewritten
  });

  it("rebuild mode comes from config.toml", async () => {
    const root = makeRoot();
    const cfgDir = tempDir("nixi-cfg-");
    writeFileSync(join(cfgDir, "config.toml"), '[rebuild]\nmode = "test"\n');
    const f = fakeEnv();
    const r = await run(`fw open 80 --yes --root ${root} --config ${cfgDir}/config.toml`, { path: [FAKES], env: f.env });
    expect(r.exitCode).toBe(0);
    expect(f.calls()).toEqual(["nixos-rebuild test"]);
    writeFileSync(join(cfgDir, "bad.toml"), '[rebuild]\nmode = "yolo"\n');
    const bad = await run(`fw open 81 --yes --root ${root} --config ${cfgDir}/bad.toml`, { path: [FAKES], env: f.env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('"yolo"');
  });

  it("a hand-broken state.toml is an error with file and line, never overwritten", async () => {
    const broken = "version = 1\n[firewall]\ntcp = [80,\n";
    const root = makeRoot({ [`${NIXI_DIR}/state.toml`]: broken });
    const before = treeHash(root);
    for (const cmd of ["fw open 8080 --yes", "fw list", "system rebuild --yes"]) {
      const r = await run(`${cmd} --root ${root}`, { path: [FAKES] });
      expect(r.exitCode, cmd).toBe(2);
      expect(r.stderr).toMatch(/state\.toml:\d+:\d+/);
    }
    expect(treeHash(root)).toBe(before);
    const j = await run(`fw list --json --root ${root}`, { path: [FAKES] });
    expect(expectEnvelope(j.json).error.code).toBe("STATE_INVALID");
  });

  it("the visible files in nixi's folder are exactly state.toml and the generated modules", async () => {
    const root = makeRoot();
    await run(`fw open 80 --yes --root ${root}`, { path: [FAKES] });
    const { readdirSync } = await import("node:fs");
    const visible = readdirSync(join(root, NIXI_DIR)).filter((n) => !n.startsWith("."));
    expect(visible.sort()).toEqual(["default.nix", "firewall.nix", "state.toml"]);
    for (const f of ["default.nix", "firewall.nix"]) expect(read(root, `${NIXI_DIR}/${f}`).split("\n")[0]).toMatch(/^# Generated by nixi from state\.toml/);
  });
});

