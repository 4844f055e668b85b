// Read commands that need several files batch them (issue 11): each read below costs a bounded
// number of exec calls over SSH, counted twice and independently: by sshd itself (LogLevel VERBOSE
// logs one "Starting session: command" per exec channel) and by nixi's own counter (`-v`). The
// outputs are checked too, so a batch that lost or mixed up a file would fail here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { cleanup, makeKey, startSshd, type Sshd, writeInventory } from "../helpers/sshd.js";

const GENERATIONS = 12;
let work: string;
let home: string;
let node: Sshd;
let cfg: string;
let tree: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-readcalls-"));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  node = await startSshd({ authorizedKeys: [key.publicKey] });
  // many generations: `system generations` must not cost one call per generation
  const gens = Array.from({ length: GENERATIONS }, (_, i) => i + 1).map(
    (n) => `{"generation":${n},"date":"2026-11-${String(n).padStart(2, "0")} 10:00:00","nixosVersion":"25.05","kernelVersion":"6.6","configurationRevision":"","specialisations":[],"current":${n === GENERATIONS}}`,
  );
  writeFileSync(
    join(node.bin, "nixos-rebuild"),
    `#!/bin/sh\n[ "$*" = "list-generations --json" ] || { echo "FAKE nixos-rebuild: unsupported: $*" >&2; exit 99; }\necho '[${gens.join(",")}]'\n`,
    { mode: 0o755 },
  );
  ({ cfg, tree } = writeInventory(work, [{ name: "web", port: node.port }]));
  // something staged in several of nixi's files (firewall, users), not rebuilt
  for (const c of [["fw", "open", "8080"], ["user", "add", "alice"]]) {
    const r = await run([...c, "--node", "web", "--yes", "--no-rebuild"], { env: env() });
    if (r.exitCode !== 0) throw new Error(`${c.join(" ")}: ${r.stderr}`);
  }
});

afterAll(async () => {
  await cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

function env() {
  return { HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg, NIXI_ROOT_EXEC: "1" };
}
const sessions = () => (readFileSync(join(node.dir, "sshd.log"), "utf8").match(/Starting session: command/g) ?? []).length;
const execLine = (stderr: string) => Number(/nixi: web: (\d+) exec calls/.exec(stderr)?.[1]);

async function counted(cmd: string) {
  const before = sessions();
  const r = await run([...cmd.split(" "), "--node", "web", "--json", "-v"], { env: env() });
  expect(r.exitCode, r.stderr).toBe(0);
  const calls = sessions() - before;
  expect(execLine(r.stderr), cmd).toBe(calls);
  return { r, calls, data: r.json.data ?? r.json };
}

describe("read commands over SSH in a bounded number of exec calls", () => {
  it("user list: /etc/passwd, /etc/group, /etc/shadow and state.toml in 1 call", async () => {
    const { calls, data } = await counted("user list --all");
    expect(calls).toBe(1);
    const root = data.users.find((u: any) => u.name === "root");
    expect(root).toMatchObject({ uid: 0, present: true, declared: false });
    // /etc/shadow was read (the test sshd runs as root): the lock state is known, not null
    expect(typeof root.locked).toBe("boolean");
    expect(data.users.find((u: any) => u.name === "alice")).toMatchObject({ declared: true, present: false });
  });

  it("user ssh-key list: state.toml + /etc/passwd in 1 call, the key file (path from /etc/passwd) in 1 more", async () => {
    const { calls, data } = await counted("user ssh-key list root");
    expect(calls).toBe(2);
    expect(data.file).toBe("/root/.ssh/authorized_keys");
  });

  it("config show: configuration.nix and every file nixi owns in 1 call", async () => {
    const { calls, data } = await counted("config show");
    expect(calls).toBe(1);
    const byName = Object.fromEntries(data.files.map((f: any) => [f.path.split("/").pop(), f]));
    expect(byName["configuration.nix"].content).toMatch(/imports = \[ \.\/nixi \]/);
    expect(byName["state.toml"].content).toMatch(/8080/);
    expect(byName["state.toml"].content).toMatch(/alice/);
    expect(byName["firewall.nix"].content).toMatch(/8080/);
    expect(byName["users.nix"].content).toMatch(/alice/);
  });

  it("config diff: both generations of every file in 1 call", async () => {
    const { calls, data } = await counted("config diff");
    expect(calls).toBe(1);
    expect(data.applied).toBe(false);
    expect(data.pending).toBe(true);
    const paths = data.files.map((f: any) => f.path.split("/").pop());
    expect(paths).toEqual(expect.arrayContaining(["state.toml", "firewall.nix", "users.nix"]));
  });

  it(`system generations: 2 calls with ${GENERATIONS} generations (the list, one batch of stats)`, async () => {
    const { calls, data } = await counted("system generations");
    expect(calls).toBe(2);
    expect(data).toHaveLength(GENERATIONS);
    expect(data.find((g: any) => g.current).generation).toBe(GENERATIONS);
  });

  it("system info: the six files, hostname and flake check in 1 call; 5 in all (files, generations list, its stats, df, runtime probe)", async () => {
    const { calls, data } = await counted("system info");
    expect(calls).toBe(5);
    expect(data.kernel).toBe(readFileSync("/proc/sys/kernel/osrelease", "utf8").trim());
    expect(data.cpu).not.toBeNull();
    expect(data.memory.totalBytes).toBeGreaterThan(0);
    expect(data.generation).toBe(GENERATIONS);
    expect(data.configuration).toBe("channels");
  });
});
