// Integrity under faults (issue 9 item 9), through the built CLI where a real process is needed:
// - SIGINT/SIGTERM/SIGHUP during a change: nixi's files restored byte for byte, the lock released,
//   exit 128+signal;
// - a lock whose holder (PID on this host) is dead is taken over at once;
// - a full disk (a real 64 KiB tmpfs): the restore renames the previous generation back (needs no
//   space), no temp file is left, the lock is released; a restore that cannot complete says so.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { BIN, run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, NIXI_DIR } from "../helpers/tree.js";
import { LocalExecutor } from "../../src/exec/local.js";
import type { Executor } from "../../src/core/executor.js";
import { makeCtx } from "../../src/core/runner.js";
import { configFromToml } from "../../src/core/config.js";
import { runChange } from "../../src/nixos/transaction.js";
import { openPorts } from "../../src/firewall/state.js";

const work = mkdtempSync(join(tmpdir(), "nixi-faults-"));
const mounts: string[] = [];
// (the signal cases spawn the built bin/nixi: `npm test` builds it first; rebuilding it here would
// race the other files that run it)
afterAll(() => {
  for (const m of mounts) spawnSync("umount", [m]);
  cleanupRoots();
  rmSync(work, { recursive: true, force: true });
});

const machine = () => makeRoot({ "/etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
const env = { NIXI_ROOT_EXEC: "1", NO_COLOR: "1", NIXI_CONFIG: "/nonexistent/nixi-test-config.toml" };
const nixiFiles = (root: string) => {
  const dir = join(root, NIXI_DIR);
  return Object.fromEntries(readdirSync(dir).filter((f) => !f.startsWith(".")).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
};
const leftovers = (root: string) => readdirSync(join(root, NIXI_DIR), { recursive: true }).map(String).filter((f) => /\.tmp$|\.nixi-[0-9a-f]+$/.test(f));

describe("signals during a change", () => {
  for (const [sig, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
    it(`${sig} while the rebuild runs: files restored, lock released, exit ${code}`, async () => {
      const root = machine();
      expect((await run(`fw open 8080 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
      const before = nixiFiles(root);
      const bin = join(work, `bin-${sig}`);
      mkdirSync(bin, { recursive: true });
      const mark = join(bin, "started");
      // a rebuild that takes long; it records its PID so the test stops it afterwards
      writeFileSync(join(bin, "nixos-rebuild"), `#!/bin/sh\necho $$ > '${mark}'\nexec sleep 30\n`, { mode: 0o755 });
      const child = spawn(process.execPath, [BIN, "fw", "open", "9090", "--yes", "--root", root], { env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` }, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      for (let i = 0; i < 200 && !existsSync(mark); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(mark), stderr).toBe(true);
      // the new files are in place while the rebuild runs
      expect(readFileSync(join(root, NIXI_DIR, "state.toml"), "utf8")).toMatch(/9090/);
      const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      child.kill(sig);
      const exitCode = await exited;
      try {
        process.kill(Number(readFileSync(mark, "utf8")), "SIGKILL");
      } catch {
        /* gone */
      }
      expect(exitCode, stderr).toBe(code);
      expect(stderr).toMatch(new RegExp(`${sig}: restoring nixi's files`));
      expect(nixiFiles(root)).toEqual(before);
      expect(existsSync(join(root, NIXI_DIR, ".lock"))).toBe(false);
      expect(leftovers(root)).toEqual([]);
    });
  }
});

describe("the lock records its holder", () => {
  it("a lock held by a PID that no longer runs on this host is taken over at once", async () => {
    const root = machine();
    const dead = spawnSync("true").pid!;
    mkdirSync(join(root, NIXI_DIR, ".lock"), { recursive: true });
    writeFileSync(join(root, NIXI_DIR, ".lock/holder"), `pid=${dead}\nhost=${hostname()}\nnode=local\nstarted=${new Date().toISOString()}\n`);
    const t0 = Date.now();
    const r = await run(`fw open 8080 --yes --no-rebuild --json --root ${root}`, { env });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000); // not the 120 s wait
    expect(r.json.warnings.join("\n")).toMatch(new RegExp(`lock .* of nixi PID ${dead} on ${hostname()}, which is no longer running`));
    expect(existsSync(join(root, NIXI_DIR, ".lock"))).toBe(false);
  });

  it("while a change holds the lock, the holder file names this process and host", async () => {
    const root = machine();
    const bin = join(work, "bin-holder");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "nixos-rebuild"), `#!/bin/sh\ncat '${join(root, NIXI_DIR, ".lock/holder")}' > '${join(bin, "seen")}'\n`, { mode: 0o755 });
    const r = await run(`fw open 8080 --yes --root ${root}`, { env, path: [bin] });
    expect(r.exitCode, r.stderr).toBe(0);
    const seen = readFileSync(join(bin, "seen"), "utf8");
    expect(seen).toMatch(new RegExp(`^pid=${process.pid}\nhost=${hostname()}\nnode=local\nstarted=\\d{4}-`));
  });
});

describe("a full disk (ENOSPC)", () => {
  it("restores by renaming the previous generation back, leaves no temp file, releases the lock", async () => {
    const root = machine();
    const etc = join(root, "etc/nixos");
    expect((await run(`fw open 8080 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
    // move nixi's folder onto a 64 KiB tmpfs, then fill it so that only two pages are free:
    // the lock's holder file and the new state.toml fit, the new firewall.nix does not
    const saved = join(work, "saved");
    execFileSync("cp", ["-a", join(etc, "nixi"), saved]);
    rmSync(join(etc, "nixi"), { recursive: true });
    mkdirSync(join(etc, "nixi"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", join(etc, "nixi")]);
    mounts.push(join(etc, "nixi"));
    execFileSync("cp", ["-a", `${saved}/.`, join(etc, "nixi")]);
    const before = nixiFiles(root);
    const fill = join(etc, "nixi/.fill");
    mkdirSync(fill);
    let n = 0;
    for (; n < 64; n++) {
      try {
        writeFileSync(join(fill, String(n)), Buffer.alloc(4096));
      } catch {
        rmSync(join(fill, String(n)), { force: true });
        break;
      }
    }
    rmSync(join(fill, String(n - 1)));
    rmSync(join(fill, String(n - 2)));
    const r = await run(`fw open 9090 --yes --no-rebuild --json --root ${root}`, { env });
    expect(r.exitCode, r.stdout).toBe(1);
    expect(r.json.error.message).toMatch(/ENOSPC|no space/i);
    expect(r.json.error.message).toMatch(/nixi's files were restored/);
    expect(nixiFiles(root)).toEqual(before);
    expect(existsSync(join(etc, "nixi/.lock"))).toBe(false);
    expect(leftovers(root)).toEqual([]);
    // and after space is freed the same change goes through
    rmSync(fill, { recursive: true });
    expect((await run(`fw open 9090 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
    execFileSync("umount", [join(etc, "nixi")]);
    mounts.pop();
  });

  it("a restore that cannot complete is reported plainly (RESTORE_INCOMPLETE), naming .previous", async () => {
    const root = machine();
    expect((await run(`fw open 8080 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
    const local = new LocalExecutor({ root, env: process.env });
    // writes of firewall.nix fail; renames (the restore) fail as well
    const exec = new Proxy(local, {
      get(target, prop, receiver) {
        if (prop === "batch") {
          return async (ops: any[], opts: any) => {
            if (ops.some((o) => o.op === "rename")) return ops.map((o) => (o.op === "rename" ? { ok: false, error: "EIO (test)" } : { ok: false, skipped: true }));
            const i = ops.findIndex((o) => o.op === "write" && o.path.endsWith("/firewall.nix"));
            if (i < 0) return target.batch(ops, opts);
            const head = await target.batch(ops.slice(0, i), opts);
            return [...head, { ok: false, error: "ENOSPC: no space left on device (test)" }, ...ops.slice(i + 1).map(() => ({ ok: false, skipped: true }))];
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as Executor;
    const flags = { json: true, yes: true, dryRun: false, noRebuild: true, noInput: true, noColor: true, quiet: true, verbose: false, root, nodes: [], allNodes: false, tags: [], force: false };
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false };
    const ctx = makeCtx({ flags, io, env: process.env } as any, configFromToml("/nonexistent/config.toml", {}, process.env), exec, "local", []);
    const err: any = await runChange(ctx, (s) => (openPorts(s, [{ proto: "tcp", from: 9090, to: 9090 } as any]), { summary: ["open 9090"] })).catch((e) => e);
    expect(err.code).toBe("RESTORE_INCOMPLETE");
    expect(err.message).toMatch(/did NOT complete/);
    expect(err.hint).toMatch(/\.previous/);
    // the lock is released all the same
    expect(existsSync(join(root, NIXI_DIR, ".lock"))).toBe(false);
  });
});
