// A V8 code cache for the bundle on Node versions without module.enableCompileCache (it arrived
// in 22.1; nixi runs on 20.11+). Compiling dist/ is most of start-up: with the cache, each chunk's
// bytecode is deserialized instead of parsed and compiled again (bench/startup.mjs).
//
// The cache is code, so it is read only from a folder that is this user's alone: owned by the
// effective uid, not writable by group or others (checked on the open file, not the path); anything
// else is ignored, never trusted. One file per chunk, in one folder per build (dist/build-id: V8
// checks only the source's length, so data of another build must never be offered), and per
// command (its first two words) a pack of the data of every chunk it loaded, read in one go.
// Written at exit for the chunks that had none (and the pack when it lacked one), atomically
// (temp file + rename). NIXI_COMPILE_CACHE=0 turns it off.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, constants as fsc } from "node:fs";
import { dirname, join, sep } from "node:path";
import { Script } from "node:vm";
import Module from "node:module";

/** Cache files of one build, for one Node version and architecture, live in one folder. */
const FOLDER_RE = /^[0-9a-f]{16,64}-v[0-9.]+-[a-z0-9]+(-[0-9a-f]{8})?$/;
const MAX_FILE = 16 * 1024 * 1024;
const KEEP_OTHER_BUILDS = 3;

/** 32-bit FNV-1a, hex: names a set of node options (not a secret, not a security boundary). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The cache folder: $XDG_CACHE_HOME/nixi or ~/.cache/nixi (absolute paths only). */
export function cacheDir(env: NodeJS.ProcessEnv): string | null {
  return cacheHome(env)?.dir ?? null;
}

/** The cache folder and the folder it lives in ($XDG_CACHE_HOME, or $HOME). */
function cacheHome(env: NodeJS.ProcessEnv): { dir: string; owner: string } | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith("/")) return { dir: join(xdg, "nixi"), owner: xdg };
  const home = env.HOME;
  return home && home.startsWith("/") ? { dir: join(home, ".cache", "nixi"), owner: home } : null;
}

/** True when the open file or folder belongs to this user and nobody else can write to it. */
function isPrivate(fd: number, uid: number): boolean {
  const st = fstatSync(fd);
  return st.uid === uid && (st.mode & 0o022) === 0;
}

/** True when the folder exists, is a folder, and is this user's alone. */
export function privateDir(dir: string, uid: number): boolean {
  let fd: number;
  try {
    fd = openSync(dir, fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    return isPrivate(fd, uid);
  } finally {
    closeSync(fd);
  }
}

/** One chunk's cached data; null when missing, not a private regular file, or too large. */
export function readEntry(file: string, uid: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o022) !== 0 || st.size === 0 || st.size > MAX_FILE) return null;
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n <= 0) return null;
      got += n;
    }
    return buf;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Atomic replace, mode 600. */
export function writeEntry(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600, flag: "wx" });
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

const PACK_MAGIC = "nixi-pk1";
const KEEP_PACKS = 24;

/** A command's pack: the data of every chunk it loaded, in one file (one read instead of ~30). */
export function readPack(file: string, uid: number): Map<string, Buffer> | null {
  const buf = readEntry(file, uid);
  if (!buf || buf.length < 12 || buf.subarray(0, 8).toString("latin1") !== PACK_MAGIC) return null;
  try {
    const n = buf.readUInt32LE(8);
    if (12 + n > buf.length) return null;
    const index = JSON.parse(buf.subarray(12, 12 + n).toString("utf8")) as Record<string, [number, number]>;
    const data = buf.subarray(12 + n);
    const out = new Map<string, Buffer>();
    for (const [name, e] of Object.entries(index)) {
      if (!Array.isArray(e) || !Number.isInteger(e[0]) || !Number.isInteger(e[1]) || e[0] < 0 || e[1] <= 0 || e[0] + e[1] > data.length) return null;
      out.set(name, data.subarray(e[0], e[0] + e[1]));
    }
    return out;
  } catch {
    return null;
  }
}

export function packBytes(entries: Map<string, Buffer>): Buffer {
  const index: Record<string, [number, number]> = {};
  let off = 0;
  for (const [name, d] of entries) {
    index[name] = [off, d.length];
    off += d.length;
  }
  const head = Buffer.from(JSON.stringify(index));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  return Buffer.concat([Buffer.from(PACK_MAGIC, "latin1"), len, head, ...entries.values()]);
}

/** The pack's name: the first two command words of the command line (`fw list`, `user ssh-key`). */
export function packName(argv: string[]): string | null {
  const words = argv.filter((a) => /^[a-z][a-z0-9-]{0,31}$/.test(a)).slice(0, 2);
  return words.length ? `${words.join("_")}.pack` : null;
}

/** Makes the folders (700) and checks them; false when they are not usable. */
function makePrivateDir(base: string, dir: string, uid: number): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return false;
  }
  return privateDir(base, uid) && privateDir(dir, uid);
}

/** Compiles the files under `distDir` through the cache from now on. Returns false when it is off. */
export function installCompileCache(distDir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NIXI_COMPILE_CACHE === "0" || typeof process.geteuid !== "function") return false;
  const where = cacheHome(env);
  if (!where) return false;
  const base = where.dir;
  const uid = process.geteuid();
  // `sudo nixi` with the caller's HOME: no cache, and no root-owned folders in someone else's home
  try {
    if (statSync(where.owner).uid !== uid) return false;
  } catch {
    return false;
  }
  let buildId: string;
  try {
    buildId = readFileSync(join(distDir, "build-id"), "utf8").trim();
  } catch {
    return false;
  }
  // V8 rejects data made under other flags: runs with other node options get folders of their own
  const opts = [...process.execArgv, env.NODE_OPTIONS ?? ""].join(" ").trim();
  const folder = `${buildId}-${process.version}-${process.arch}${opts ? `-${fnv1a(opts)}` : ""}`;
  if (!FOLDER_RE.test(folder)) return false;
  const dir = join(base, folder);
  // the folders are checked once; each file again on its open descriptor
  const readable = privateDir(base, uid) && privateDir(dir, uid);
  const prefix = distDir.endsWith(sep) ? distDir : distDir + sep;
  const missed = new Map<string, Script>();
  const pack = packName(process.argv.slice(2));
  const packed = readable && pack ? readPack(dir + sep + pack, uid) : null;
  // what this run used, for its command's pack: the data it read, or the script to make it from
  const used = new Map<string, Buffer | Script>();
  // every chunk lives in dist/: its node_modules search list is the same, computed once (a copy
  // each, as node hands out its own array per module)
  const lookup = (Module as any)._nodeModulePaths;
  const known = new Map<string, string[]>();
  (Module as any)._nodeModulePaths = (from: string) => {
    let paths = known.get(from);
    if (!paths) known.set(from, (paths = lookup(from)));
    return paths!.slice();
  };
  const proto = (Module as any).prototype;
  const compile = proto._compile;
  proto._compile = function (this: any, content: string, filename: string) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    const name = filename.slice(prefix.length).replaceAll(sep, "_") + ".cache";
    const cachedData = packed?.get(name) ?? (readable ? (readEntry(dir + sep + name, uid) ?? undefined) : undefined);
    const script = new Script((Module as any).wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) {
      missed.set(name, script);
      used.set(name, script);
    } else used.set(name, cachedData);
    const fn = script.runInThisContext({ displayErrors: true });
    const mod = this;
    const here = dirname(filename);
    const require = (id: string) => {
      // a chunk's require of a sibling chunk ("./chunk-X.js", all the bundle does): no search of
      // node_modules paths, stat or realpath (dist/ is one real folder); the rest as node does it
      if (id.startsWith("./") && id.indexOf("/", 2) === -1 && id.endsWith(".js")) {
        const file = here + sep + id.slice(2);
        const cached = (Module as any)._cache[file];
        if (cached) return cached.exports;
        const child = new (Module as any)(file, mod);
        (Module as any)._cache[file] = child;
        let ok = false;
        try {
          child.load(file);
          ok = true;
        } finally {
          if (!ok) delete (Module as any)._cache[file];
        }
        return child.exports;
      }
      return mod.require(id);
    };
    require.resolve = (id: string, o?: unknown) => (Module as any)._resolveFilename(id, mod, false, o);
    require.cache = (Module as any)._cache;
    return fn.call(mod.exports, mod.exports, require, mod, filename, here);
  };
  process.once("exit", () => {
    const packStale = !!pack && (!packed || [...used.keys()].some((n) => !packed.has(n)) || missed.size > 0);
    if ((!missed.size && !packStale) || !makePrivateDir(base, dir, uid)) return;
    try {
      // at exit, so the data holds the functions this run compiled, not only the top level
      const made = new Map<string, Buffer>();
      for (const [name, s] of missed) {
        made.set(name, s.createCachedData());
        writeEntry(join(dir, name), made.get(name)!);
      }
      if (packStale) {
        const entries = new Map<string, Buffer>();
        for (const [name, u] of used) entries.set(name, u instanceof Buffer ? u : made.get(name)!);
        writeEntry(join(dir, pack!), packBytes(entries));
        const packs = readdirSync(dir)
          .filter((f) => f.endsWith(".pack") && f !== pack)
          .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
          .sort((a, b) => b.t - a.t);
        for (const { f } of packs.slice(KEEP_PACKS - 1)) rmSync(join(dir, f), { force: true });
      }
      // other builds or Node versions (an upgrade, or two installs in use): the newest few stay
      const others = readdirSync(base)
        .filter((f) => f !== folder && FOLDER_RE.test(f))
        .map((f) => ({ f, t: statSync(join(base, f)).mtimeMs }))
        .sort((a, b) => b.t - a.t);
      for (const { f } of others.slice(KEEP_OTHER_BUILDS)) rmSync(join(base, f), { recursive: true, force: true });
    } catch {
      // a cache that cannot be written costs only speed
    }
  });
  return true;
}
