// A V8 code cache for the bundle on Node versions without module.enableCompileCache (it arrived
// in 22.1; nixi runs on 20.11+). Compiling dist/ is most of start-up: with the cache, each chunk's
// bytecode is deserialized instead of parsed and compiled again (bench/startup.mjs).
//
// The cache is code, so it is read only from a folder that is this user's alone: owned by the
// effective uid, not writable by group or others (checked on the open file, not the path); anything
// else is ignored, never trusted. One blob per build (dist/build-id: V8 checks only the source's
// length, so a cache of another build must never be offered). Written at exit when a chunk had no
// entry, atomically (a concurrent run loses entries at worst, never corrupts). NIXI_COMPILE_CACHE=0
// turns it off.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, constants as fsc } from "node:fs";
import { dirname, join, sep } from "node:path";
import { Script } from "node:vm";
import Module from "node:module";

type Entry = [offset: number, length: number];
const MAGIC = "nixi-cc1";
/** Read whole at every start: entries of other commands are dropped beyond this. */
const MAX_BLOB = 8 * 1024 * 1024;

/** The cache folder: $XDG_CACHE_HOME/nixi or ~/.cache/nixi (absolute paths only). */
export function cacheDir(env: NodeJS.ProcessEnv): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith("/")) return join(xdg, "nixi");
  const home = env.HOME;
  return home && home.startsWith("/") ? join(home, ".cache", "nixi") : null;
}

/** True when the open file or folder belongs to this user and nobody else can write to it. */
function private_(fd: number, uid: number): boolean {
  const st = fstatSync(fd);
  return st.uid === uid && (st.mode & 0o022) === 0;
}

/** Reads the blob; null when missing, foreign, not private or malformed. */
export function readBlob(file: string, uid: number): { index: Record<string, Entry>; data: Buffer } | null {
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const dirFd = openSync(dirname(file), fsc.O_RDONLY | fsc.O_DIRECTORY);
    const dirOk = private_(dirFd, uid);
    closeSync(dirFd);
    if (!dirOk || !private_(fd, uid)) return null;
    const size = fstatSync(fd).size;
    if (size < 12 || size > 2 * MAX_BLOB) return null;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n <= 0) return null;
      got += n;
    }
    if (buf.subarray(0, 8).toString("latin1") !== MAGIC) return null;
    const n = buf.readUInt32LE(8);
    if (12 + n > size) return null;
    const index = JSON.parse(buf.subarray(12, 12 + n).toString("utf8"));
    const data = buf.subarray(12 + n);
    if (typeof index !== "object" || index === null) return null;
    for (const e of Object.values(index) as unknown[]) {
      if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => Number.isInteger(x) && x >= 0) || e[0] + e[1] > data.length) return null;
    }
    return { index, data };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export function writeBlob(file: string, entries: Map<string, Buffer>): void {
  const index: Record<string, Entry> = {};
  let off = 0;
  for (const [name, d] of entries) {
    index[name] = [off, d.length];
    off += d.length;
  }
  const head = Buffer.from(JSON.stringify(index));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC, "latin1"), len, head, ...entries.values()]), { mode: 0o600, flag: "wx" });
  renameSync(tmp, file);
}

/** Makes (or checks) the private cache folder; null when it is not usable. */
function usableDir(dir: string, uid: number): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
    try {
      return private_(fd, uid);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Compiles the files under `distDir` through the cache from now on. Returns false when it is off. */
export function installCompileCache(distDir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NIXI_COMPILE_CACHE === "0" || typeof process.getuid !== "function") return false;
  const dir = cacheDir(env);
  if (!dir) return false;
  let buildId: string;
  try {
    buildId = readFileSync(join(distDir, "build-id"), "utf8").trim();
  } catch {
    return false;
  }
  if (!/^[0-9a-f]{16,64}$/.test(buildId)) return false;
  const uid = process.geteuid ? process.geteuid() : process.getuid();
  const file = join(dir, `${buildId}-${process.version}-${process.arch}.cache`);
  const blob = readBlob(file, uid);
  const prefix = distDir.endsWith(sep) ? distDir : distDir + sep;
  const scripts = new Map<string, Script>();
  let missed = false;
  const proto = (Module as any).prototype;
  const compile = proto._compile;
  proto._compile = function (this: any, content: string, filename: string) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    const name = filename.slice(prefix.length);
    const e = blob?.index[name];
    const cachedData = e ? blob!.data.subarray(e[0], e[0] + e[1]) : undefined;
    const script = new Script((Module as any).wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) missed = true;
    scripts.set(name, script);
    const fn = script.runInThisContext({ displayErrors: true });
    const mod = this;
    const require = (id: string) => mod.require(id);
    require.resolve = (id: string, o?: unknown) => (Module as any)._resolveFilename(id, mod, false, o);
    require.cache = (Module as any)._cache;
    return fn.call(mod.exports, mod.exports, require, mod, filename, dirname(filename));
  };
  process.once("exit", () => {
    if (!missed || !usableDir(dir, uid)) return;
    try {
      const entries = new Map<string, Buffer>();
      for (const [name, s] of scripts) entries.set(name, s.createCachedData());
      // keep what other commands compiled (the blob grows to the chunks in use), up to a bound
      let size = [...entries.values()].reduce((n, d) => n + d.length, 0);
      if (blob) {
        for (const [name, [o, l]] of Object.entries(blob.index)) {
          if (entries.has(name) || size + l > MAX_BLOB) continue;
          entries.set(name, blob.data.subarray(o, o + l));
          size += l;
        }
      }
      writeBlob(file, entries);
      // blobs of other builds or Node versions are never read again
      for (const f of readdirSync(dir)) if (f.endsWith(".cache") && join(dir, f) !== file) rmSync(join(dir, f), { force: true });
    } catch {
      // a cache that cannot be written costs only speed
    }
  });
  return true;
}
