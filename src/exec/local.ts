// Runs on this machine. Machine paths are mapped under --root; programs are found on PATH
// (argv arrays only, never a shell string).
// Synchronous fs calls: nixi runs one local step at a time anyway, and each promise call is a
// round trip through libuv's thread pool (and starting the pool) — most of a change's wait.
import { unlinkSync, accessSync, chmodSync, closeSync, fchmodSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, rmdirSync, writeFileSync, constants as fsc } from "node:fs";
import { dirname, join, resolve, basename } from "node:path";
import type { BatchOp, BatchOptions, BatchResult, Executor, FileStat, RunOptions, RunResult, WriteOptions } from "../core/executor.js";
import { registerSecretFile } from "./secret-files.js";
import { rootExecBlocked, rootExecError, rootExecMessage } from "./root-guard.js";
import { batchSteps } from "./batch.js";
import { localArgv, notRoot, spawnCollect } from "./spawn.js";

export interface LocalOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Wrap privileged commands in `sudo -n` (default: when not running as root). */
  sudo?: boolean;
}

export class LocalExecutor implements Executor {
  readonly node = "local";
  readonly description: string;
  private readonly root: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly sudo: boolean;
  get wrapsPrivileged(): boolean {
    return this.sudo;
  }
  private spawned = 0;

  constructor(opts: LocalOptions) {
    this.root = resolve(opts.root);
    this.env = opts.env;
    this.sudo = opts.sudo ?? notRoot();
    this.description = this.root === "/" ? "local" : `local (root ${this.root})`;
  }

  /** Host path for a machine path. */
  hostPath(path: string): string {
    if (!path.startsWith("/")) throw new Error(`machine path must be absolute: ${path}`);
    return this.root === "/" ? path : join(this.root, path);
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error("empty argv");
    // --root DIR: a program from PATH acts on the host, not DIR (root-guard.ts). A read reports
    // "not run" (so read commands still show DIR's declared state); anything else is refused.
    if (rootExecBlocked(this.root, this.env) && !(opts.cwdOnly && opts.cwd)) {
      if (!opts.readOnly) throw rootExecError(this.root, argv);
      return { exitCode: 127, stdout: "", stderr: rootExecMessage(this.root, argv), notFound: true, notRunUnderRoot: true };
    }
    const full = localArgv(argv, !!opts.privileged, this.sudo);
    this.spawned++;
    return spawnCollect(full, {
      env: { ...this.env, ...opts.env },
      cwd: opts.cwd ? this.hostPath(opts.cwd) : undefined,
      input: opts.input,
      timeoutMs: opts.timeoutMs,
      onStdout: opts.onStdout,
      onStderr: opts.onStderr,
    });
  }

  async which(program: string): Promise<string | null> {
    if (program.includes("/")) return (await exists(program)) ? program : null;
    for (const dir of (this.env.PATH ?? "").split(":")) {
      if (!dir) continue;
      const p = join(dir, program);
      try {
        accessSync(p, fsc.X_OK);
        return p;
      } catch {}
    }
    return null;
  }

  async readFile(path: string): Promise<string | null> {
    try {
      const text = readFileSync(this.hostPath(path), "utf8");
      registerSecretFile(path, text);
      return text;
    } catch (e: any) {
      if (e.code === "ENOENT") return null;
      throw e;
    }
  }

  async writeFile(path: string, content: string, opts: WriteOptions = {}): Promise<void> {
    const target = this.hostPath(path);
    mkdirSync(dirname(target), { recursive: true });
    // created 600 and chmod-ed after: a half-written temp file of a secret is never readable by others
    const { tmp, made: fd } = withTempName(target, (name) => openSync(name, "wx", 0o600));
    try {
      try {
        writeFileSync(fd, content, "utf8");
        fchmodSync(fd, opts.mode ?? 0o644);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
    } catch (e) {
      // any write error (ENOSPC, EIO, ...): no temp file is left behind
      rmSync(tmp, { force: true });
      throw e;
    }
    // Make the rename durable too.
    let dir: number | null = null;
    try {
      dir = openSync(dirname(target), "r");
      fsyncSync(dir);
    } catch {
      // a folder that cannot be synced (some file systems) still has the file
    } finally {
      if (dir !== null) closeSync(dir);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      const s = lstatSync(this.hostPath(path));
      return {
        type: s.isSymbolicLink() ? "symlink" : s.isDirectory() ? "dir" : s.isFile() ? "file" : "other",
        size: s.size,
        mode: s.mode & 0o7777,
        mtimeMs: s.mtimeMs,
      };
    } catch (e: any) {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return null;
      throw e;
    }
  }

  async realpath(path: string): Promise<string | null> {
    // Resolve inside the root: an absolute symlink target is a machine path, so walk it ourselves.
    let parts = path.split("/").filter(Boolean);
    const out: string[] = [];
    let hops = 0;
    while (parts.length) {
      const part = parts.shift()!;
      if (part === ".") continue;
      if (part === "..") {
        out.pop();
        continue;
      }
      const candidate = "/" + [...out, part].join("/");
      let st;
      try {
        st = lstatSync(this.hostPath(candidate));
      } catch (e: any) {
        if (e.code === "ENOENT" || e.code === "ENOTDIR") return null;
        throw e;
      }
      if (st.isSymbolicLink()) {
        if (++hops > 40) return null;
        const target = readlinkSync(this.hostPath(candidate));
        if (target.startsWith("/")) out.length = 0;
        parts = [...target.split("/").filter(Boolean), ...parts];
        continue;
      }
      out.push(part);
    }
    return "/" + out.join("/");
  }

  async readdir(path: string): Promise<string[]> {
    try {
      return readdirSync(this.hostPath(path)).sort();
    } catch (e: any) {
      if (e.code === "ENOENT") return [];
      throw e;
    }
  }

  async mkdir(path: string, opts: { exclusive?: boolean; mode?: number } = {}): Promise<boolean> {
    const p = this.hostPath(path);
    if (opts.exclusive) {
      // A concurrent process may remove the empty parent between the two calls: try again.
      for (let attempt = 0; ; attempt++) {
        mkdirSync(dirname(p), { recursive: true });
        try {
          mkdirSync(p, { mode: opts.mode });
          return true;
        } catch (e: any) {
          if (e.code === "EEXIST") return false;
          if (e.code !== "ENOENT" || attempt > 20) throw e;
        }
      }
    }
    mkdirSync(p, { recursive: true, mode: opts.mode });
    return true;
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = this.hostPath(path);
    if (!opts.recursive) {
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) {
        try {
          rmdirSync(p);
        } catch (e: any) {
          if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST" && e.code !== "ENOENT") throw e;
        }
        return;
      }
    }
    if (opts.recursive && removeFlatFolder(p)) return;
    rmSync(p, { recursive: !!opts.recursive, force: true });
  }

  async rename(from: string, to: string): Promise<void> {
    renameSync(this.hostPath(from), this.hostPath(to));
  }

  async chmod(path: string, mode: number): Promise<void> {
    chmodSync(this.hostPath(path), mode);
  }

  /** Local files need no round trips: the steps run one by one (hard links and rename(2) for
   *  link/rename, so keeping a generation needs no new disk space). */
  batch(ops: BatchOp[], opts: BatchOptions = {}): Promise<BatchResult[]> {
    return batchSteps(this, ops, !!opts.privileged, {
      link: async (from, to) => {
        const src = this.hostPath(from);
        const dst = this.hostPath(to);
        mkdirSync(dirname(dst), { recursive: true });
        const { tmp } = withTempName(dst, (name) => linkSync(src, name));
        try {
          renameSync(tmp, dst);
        } catch (e) {
          rmSync(tmp, { force: true });
          throw e;
        }
      },
      rename: async (from, to) => renameSync(this.hostPath(from), this.hostPath(to)),
    });
  }

  execCount(): number {
    return this.spawned;
  }

  async close(): Promise<void> {}
}

async function exists(p: string): Promise<boolean> {
  try {
    accessSync(p);
    return true;
  } catch {
    return false;
  }
}

// A temp file beside `target`, made by `create` (O_EXCL open, or link(2)), which fails with EEXIST
// instead of following or reusing anything already there. So the name needs to be unique, not
// secret: no random bytes, and no node:crypto at start-up.
let tempSeq = 0;
function withTempName<T>(target: string, create: (name: string) => T): { tmp: string; made: T } {
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}${(tempSeq++).toString(36)}.tmp`);
    try {
      return { tmp, made: create(tmp) };
    } catch (e: any) {
      if (e.code !== "EEXIST" || attempt >= 9) throw e;
    }
  }
}

/** A folder holding only files (nixi's lock): unlink them and the folder, without node's rimraf
 *  (a module of its own to load, and a walk). False when it is something else: rmSync does it. */
function removeFlatFolder(p: string): boolean {
  try {
    // never through a symlink: rmSync removes only the link
    if (!lstatSync(p).isDirectory()) return false;
    const entries = readdirSync(p, { withFileTypes: true });
    if (entries.some((e) => e.isDirectory())) return false;
    for (const e of entries) unlinkSync(join(p, e.name));
    rmdirSync(p);
    return true;
  } catch {
    return false;
  }
}
