// Batched remote changes (issue 11): a change over SSH costs a bounded number of exec channels,
// counted independently from sshd's own log (LogLevel VERBOSE logs one "Starting session" per exec),
// and the batch steps behave like the single calls (framing, stdin contents, lock holder, links).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir, hostname } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { cleanup, makeKey, startSshd, type Sshd, writeInventory } from "../helpers/sshd.js";
import { SshExecutor } from "../../src/exec/ssh.js";

let work: string;
let home: string;
let node: Sshd;
let cfg: string;
let tree: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-batch-test-"));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  node = await startSshd({ authorizedKeys: [key.publicKey] });
  ({ cfg, tree } = writeInventory(work, [{ name: "web", port: node.port }]));
});

afterAll(async () => {
  await cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg, NIXI_ROOT_EXEC: "1" });
const sessions = () => (readFileSync(join(node.dir, "sshd.log"), "utf8").match(/Starting session: command/g) ?? []).length;
const execLine = (stderr: string) => Number(/nixi: web: (\d+) exec calls/.exec(stderr)?.[1]);

function executor(): SshExecutor {
  return new SshExecutor({ name: "web", host: "127.0.0.1", port: node.port, user: "root" }, { knownHosts: join(work, "kh"), connectTimeoutMs: 3000, commandTimeoutMs: 0, env: { HOME: home } });
}

describe("a remote change in a bounded number of exec calls", () => {
  it("--no-rebuild: 2 exec calls (lock + read everything, write + unlock)", async () => {
    const before = sessions();
    const r = await run(["fw", "open", "8080", "--node", "web", "--yes", "--no-rebuild", "-v"], { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(tree, "etc/nixos/nixi/state.toml"), "utf8")).toMatch(/8080/);
    expect(sessions() - before).toBe(2);
    expect(execLine(r.stderr)).toBe(2);
    expect(existsSync(join(tree, "etc/nixos/nixi/.lock"))).toBe(false);
  });

  it("with a rebuild: 4 exec calls (read+lock, write, nixos-rebuild, log+applied+unlock); .previous and .applied are hard links", async () => {
    const before = sessions();
    // the transaction's own bound (safe apply adds its calls on top: bench/remote.mjs reports both)
    const r = await run(["fw", "open", "8081", "--node", "web", "--yes", "-v", "--no-safe-apply"], { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sessions() - before).toBe(4);
    expect(execLine(r.stderr)).toBe(4);
    const dir = join(tree, "etc/nixos/nixi");
    expect(node.fakeLines().some((l) => l.startsWith("nixos-rebuild switch"))).toBe(true);
    // .applied is the file in place (same inode), .previous the generation before (8080 only)
    expect(statSync(join(dir, ".applied/state.toml")).ino).toBe(statSync(join(dir, "state.toml")).ino);
    expect(readFileSync(join(dir, ".previous/state.toml"), "utf8")).toMatch(/8080/);
    expect(readFileSync(join(dir, ".previous/state.toml"), "utf8")).not.toMatch(/8081/);
    expect(readFileSync(join(dir, ".rebuild.log"), "utf8")).toMatch(/building the system configuration/);
    expect(statSync(join(dir, ".rebuild.log")).mode & 0o777).toBe(0o600);
  });

  it("a failed rebuild restores byte for byte in the same bounded number of calls and exits 6", async () => {
    const dir = join(tree, "etc/nixos/nixi");
    const stateBefore = readFileSync(join(dir, "state.toml"), "utf8");
    const fwBefore = readFileSync(join(dir, "firewall.nix"), "utf8");
    const before = sessions();
    // the fake reads NIXI_FAKE_REBUILD_FAIL from the node's environment: a marker file switches it
    writeFileSync(join(node.bin, "nixos-rebuild"), `#!/bin/sh\necho "error: builder failed" >&2\nexit 1\n`, { mode: 0o755 });
    try {
      const r = await run(["fw", "open", "9090", "--node", "web", "--yes", "-v", "--json", "--no-safe-apply"], { env: env() });
      expect(r.exitCode).toBe(6);
      expect(r.json.error.code).toBe("REBUILD_FAILED");
      expect(sessions() - before).toBe(4);
    } finally {
      rmSync(join(node.bin, "nixos-rebuild"));
    }
    expect(readFileSync(join(dir, "state.toml"), "utf8")).toBe(stateBefore);
    expect(readFileSync(join(dir, "firewall.nix"), "utf8")).toBe(fwBefore);
    expect(readFileSync(join(dir, ".failed/state.toml"), "utf8")).toMatch(/9090/);
    expect(existsSync(join(dir, ".lock"))).toBe(false);
  });
});

describe("SshExecutor.batch", () => {
  it("frames contents exactly (no trailing newline, empty, boundary-like text), sends contents on stdin, and stops at the first failure", async () => {
    const ex = executor();
    try {
      const d = join(work, "b1");
      const tricky = "line\n@@nixi- S 0\n\n$(touch /tmp/never) 'q' \"x\"\n\n";
      const w = await ex.batch([
        { op: "write", path: `${d}/a`, content: "no newline" },
        { op: "write", path: `${d}/b`, content: "" },
        { op: "write", path: `${d}/c`, content: tricky, mode: 0o600 },
      ]);
      expect(w.every((x) => x.ok)).toBe(true);
      expect(statSync(`${d}/c`).mode & 0o777).toBe(0o600);
      const r = await ex.batch([
        { op: "read", path: `${d}/a` },
        { op: "read", path: `${d}/b` },
        { op: "read", path: `${d}/c` },
        { op: "read", path: `${d}/missing` },
        { op: "stat", path: `${d}/missing` },
        { op: "exists", path: `${d}/a` },
      ]);
      expect(r.map((x) => x.content)).toEqual(["no newline", "", tricky, null, undefined, undefined]);
      expect(r[4].stat).toBeNull();
      expect(r[5].exists).toBe(true);
      expect(existsSync("/tmp/never")).toBe(false);
      // the content never appears on the command line sshd logged
      expect(readFileSync(join(node.dir, "sshd.log"), "utf8")).not.toContain("no newline");
      // a write into a path below a regular file fails; the steps after it do not run; no temp file is left
      const f = await ex.batch([
        { op: "write", path: `${d}/a/x`, content: "x" },
        { op: "write", path: `${d}/after`, content: "y" },
      ]);
      expect(f[0].ok).toBe(false);
      expect(f[0].error).toMatch(/Not a directory|File exists/);
      expect(f[1].skipped).toBe(true);
      expect(existsSync(`${d}/after`)).toBe(false);
      // link mirrors (a missing source removes the target); rename back over the same file is a no-op
      const l = await ex.batch([
        { op: "link", from: `${d}/a`, to: `${d}/prev/a` },
        { op: "link", from: `${d}/missing`, to: `${d}/c` },
        { op: "rename", from: `${d}/prev/a`, to: `${d}/a` },
      ]);
      expect(l.every((x) => x.ok), JSON.stringify(l)).toBe(true);
      expect(existsSync(`${d}/prev/a`)).toBe(true);
      expect(existsSync(`${d}/c`)).toBe(false);
      expect(statSync(`${d}/prev/a`).ino).toBe(statSync(`${d}/a`).ino);
      expect(ex.execCount()).toBe(4);
    } finally {
      await ex.close();
    }
  });

  it("lock: taken with its holder recorded; a held lock returns the holder and stops the batch", async () => {
    const ex = executor();
    try {
      const lock = join(work, "b2/.lock");
      const a = await ex.batch([{ op: "lock", path: lock, holder: `pid=1\nhost=${hostname()}\n` }, { op: "read", path: `${lock}/holder` }]);
      expect(a[0].ok).toBe(true);
      expect(a[1].content).toBe(`pid=1\nhost=${hostname()}\n`);
      const b = await ex.batch([{ op: "lock", path: lock, holder: "pid=2\n" }, { op: "write", path: join(work, "b2/x"), content: "x" }]);
      expect(b[0]).toMatchObject({ ok: false, held: true, content: `pid=1\nhost=${hostname()}\n` });
      expect(b[1].skipped).toBe(true);
      expect(existsSync(join(work, "b2/x"))).toBe(false);
    } finally {
      await ex.close();
    }
  });
});
