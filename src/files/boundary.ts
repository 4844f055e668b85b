// The boundary of `nixi file`: a path names something inside /srv/<name>/ (a container's data
// folder), never /srv itself, never /srv/.credentials, never outside after resolving `..` and
// symlinks. The same rules as container volumes (src/containers/volumes.ts): lexical checks first,
// then every existing part is resolved on the machine with realpath and must stay inside
// realpath(/srv/<name>). Refusals are PATH_OUTSIDE_SRV (exit 4), before anything is read or written.
import { NixiError } from "../core/errors.js";
import type { Executor, FileStat } from "../core/executor.js";
import { checkSrvRoot, SRV } from "../containers/volumes.js";

/** A file or folder name: ASCII letters, digits and . _ @ + -, at most one leading dot, not starting
 *  with "-" (no look-alike Unicode, no control characters) — the segment rule of node setup's sudo
 *  rules (src/nixos/node-setup.ts), so what nixi accepts here a non-root node user may also write. */
const SEGMENT = /^\.?[A-Za-z0-9_@+][A-Za-z0-9_.@+-]{0,253}$/;
/** Folder names under /srv are container names. */
const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export interface SrvPath {
  /** The container folder's name: /srv/<name>. */
  name: string;
  /** Parts below /srv/<name> (empty for the folder itself). */
  parts: string[];
  /** The machine path, /srv/<name>/<parts...>. */
  path: string;
}

export const outsideSrv = (raw: string, why: string) =>
  new NixiError(
    "PATH_OUTSIDE_SRV",
    `path ${JSON.stringify(raw.length > 120 ? raw.slice(0, 120) + "..." : raw)} refused: ${why}`,
    "nixi file works only inside a container's folder: /srv/<name>/... (or <name>/...)",
  );

/** Lexical checks (pure). Accepts /srv/<name>/sub/file and <name>/sub/file. */
export function parseSrvPath(raw: string): SrvPath {
  if (typeof raw !== "string" || raw === "") throw outsideSrv(String(raw ?? ""), "empty path");
  if (raw.length > 4096) throw outsideSrv(raw, `too long (${raw.length} characters)`);
  if (/[\0-\x1f\x7f]/.test(raw)) throw outsideSrv(raw, "control characters (NUL, newline, ...) are not allowed");
  if (raw.includes("\\")) throw outsideSrv(raw, "backslashes are not allowed");
  let rest = raw;
  if (rest.startsWith("/")) {
    if (rest === SRV || rest === `${SRV}/`) throw outsideSrv(raw, "/srv itself is not a container's folder");
    if (!rest.startsWith(`${SRV}/`)) throw outsideSrv(raw, "only paths under /srv/<name>/ are allowed");
    rest = rest.slice(SRV.length + 1);
  }
  rest = rest.replace(/\/+$/, "");
  const segs = rest.split("/");
  for (const s of segs) {
    if (s === "..") throw outsideSrv(raw, "'..' is not allowed");
    if (s === "." || s === "") throw outsideSrv(raw, "empty or '.' path segments are not allowed");
    if (!SEGMENT.test(s)) throw outsideSrv(raw, `name ${JSON.stringify(s.length > 40 ? s.slice(0, 40) + "..." : s)} may use only ASCII letters, digits and . _ @ + - (at most one leading dot, no leading -)`);
  }
  const [name, ...parts] = segs;
  if (name === ".credentials") throw outsideSrv(raw, "/srv/.credentials is where secret values live; it is never read or written by nixi file");
  if (!NAME.test(name)) throw outsideSrv(raw, `${JSON.stringify(name)} is not a container folder name (lower-case letters, digits, . _ -; starting with a letter or digit)`);
  return { name, parts, path: [SRV, name, ...parts].join("/") };
}

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + "/");

export interface Resolved {
  /** realpath(/srv/<name>) on the machine. */
  base: string;
  /** The path with every existing part resolved (the target itself resolved too, unless noFollowLast). */
  real: string;
  /** lstat of the (unresolved) target; null when it does not exist. */
  stat: FileStat | null;
}

/**
 * Check on the machine: /srv/<name> exists as a folder of its own under /srv, and every existing
 * prefix of the path resolves inside it; a dangling symlink is refused. With noFollowLast, the last
 * part is not resolved (deleting a symlink deletes the link, not its target).
 */
export async function resolveOnMachine(exec: Executor, p: SrvPath, raw: string, opts: { noFollowLast?: boolean } = {}): Promise<Resolved> {
  try {
    await checkSrvRoot(exec, p.name, raw);
  } catch (e: any) {
    throw outsideSrv(raw, e.message.replace(/^volume .*? refused: /, ""));
  }
  const root = `${SRV}/${p.name}`;
  const rootSt = await exec.stat(root);
  if (!rootSt) throw new NixiError("NOT_FOUND", `${root} does not exist`, "nixi file works in the data folders of containers (`nixi container list`)");
  const base = (await exec.realpath(root)) ?? root;
  let cur = root;
  let real = base;
  let st: FileStat | null = rootSt;
  for (let i = 0; i < p.parts.length; i++) {
    cur = `${cur}/${p.parts[i]}`;
    st = await exec.stat(cur);
    if (!st) {
      // the rest does not exist yet: it will be created as real folders and a file under `real`
      real = [real, ...p.parts.slice(i)].join("/");
      return { base, real, stat: null };
    }
    const last = i === p.parts.length - 1;
    if (last && opts.noFollowLast) {
      real = `${real}/${p.parts[i]}`;
      break;
    }
    const r = await exec.realpath(cur);
    if (r === null) throw outsideSrv(raw, `${cur} is a dangling symlink`);
    if (!inside(r, base)) throw outsideSrv(raw, `${cur} resolves to ${r}, outside ${root}/`);
    if (!last) {
      const rst = st.type === "symlink" ? await exec.stat(r) : st;
      if (rst?.type !== "dir") throw outsideSrv(raw, `${cur} is not a folder`);
    }
    real = r;
    if (last && st.type === "symlink") st = await exec.stat(r);
  }
  return { base, real, stat: st };
}
