// The /srv/<name>/ data boundary. A volume is SUBDIR:CONTAINER_PATH[:OPTIONS]; its host side is a
// relative path that must stay inside /srv/<name>/ both lexically and after resolving the symlinks
// of every part that already exists on the machine (through ctx.exec.realpath). Anything else is
// refused with PATH_OUTSIDE_SRV (exit 4) before anything is written.
import { posix } from "node:path";
import { NixiError } from "../core/errors.js";
import type { Executor } from "../core/executor.js";

export const SRV = "/srv";
export const CREDENTIALS_DIR = "/srv/.credentials";
export const MAX_HOST_PATH = 1024;
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
const MOUNT_OPTIONS = new Set(["ro", "rw", "z", "Z", "U", "nocopy", "rprivate", "private", "rslave", "slave", "rshared", "shared"]);

export interface VolumeSpec {
  /** Relative path under /srv/<name>/ ("data", "config/nginx"). */
  sub: string;
  /** Absolute path inside the container. */
  containerPath: string;
  /** Mount options (ro, Z, ...), comma-separated in the spec. */
  options: string[];
}

export const srvDir = (name: string) => `${SRV}/${name}`;
export const credentialsFile = (name: string) => `${CREDENTIALS_DIR}/${name}.env`;

const outside = (spec: string, why: string) =>
  new NixiError(
    "PATH_OUTSIDE_SRV",
    `volume ${JSON.stringify(spec.length > 120 ? spec.slice(0, 120) + "..." : spec)} refused: ${why}`,
    "the host side is a folder relative to /srv/<name>/, e.g. --volume data:/var/lib/app (becomes /srv/<name>/data)",
  );

/** Lexical checks only (pure). Throws PATH_OUTSIDE_SRV for a bad host side, INVALID_ARGUMENT for a bad container side. */
export function parseVolume(spec: string): VolumeSpec {
  if (typeof spec !== "string" || spec.length === 0) throw outside(String(spec ?? ""), "empty volume");
  if (spec.length > MAX_HOST_PATH + 4096) throw outside(spec, `too long (${spec.length} characters)`);
  if (/[\0-\x1f\x7f]/.test(spec)) throw outside(spec, "control characters (NUL, newline, ...) are not allowed");
  const colon = spec.indexOf(":");
  const host = colon < 0 ? spec : spec.slice(0, colon);
  checkHostSide(spec, host);
  if (colon < 0) {
    throw new NixiError("INVALID_ARGUMENT", `volume ${JSON.stringify(spec)} has no container path`, "use SUBDIR:CONTAINER_PATH, e.g. data:/var/lib/app");
  }
  const rest = spec.slice(colon + 1).split(":");
  const containerPath = rest[0];
  const options = rest.length > 1 ? rest.slice(1).join(":").split(",") : [];
  if (rest.length > 2) throw new NixiError("INVALID_ARGUMENT", `volume ${JSON.stringify(spec)}: too many ':' fields`, "use SUBDIR:CONTAINER_PATH[:ro]");
  if (!containerPath.startsWith("/") || containerPath.length > 4096 || /[\s"'`$\\,]/.test(containerPath) || containerPath.split("/").includes("..")) {
    throw new NixiError("INVALID_ARGUMENT", `volume ${JSON.stringify(spec)}: container path ${JSON.stringify(containerPath)} must be an absolute path without spaces, quotes or '..'`);
  }
  for (const o of options) {
    if (!MOUNT_OPTIONS.has(o)) throw new NixiError("INVALID_ARGUMENT", `volume ${JSON.stringify(spec)}: unknown mount option ${JSON.stringify(o)}`, `allowed: ${[...MOUNT_OPTIONS].join(", ")}`);
  }
  let sub = host.replace(/^(\.\/)+/, "");
  sub = sub.replace(/\/+$/, "");
  return { sub, containerPath: posix.normalize(containerPath), options };
}

function checkHostSide(spec: string, host: string): void {
  if (host === "") throw outside(spec, "empty host folder");
  if (host.length > MAX_HOST_PATH) throw outside(spec, `host folder too long (${host.length} characters, at most ${MAX_HOST_PATH})`);
  if (host.startsWith("/")) throw outside(spec, "absolute host paths are not allowed; data lives under /srv/<name>/");
  if (host.startsWith("~")) throw outside(spec, "home-relative host paths are not allowed");
  if (host.includes("%")) throw outside(spec, "percent-encoded characters are not allowed in the host folder");
  if (host.includes("\\")) throw outside(spec, "backslashes are not allowed in the host folder");
  const body = host.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (body === "" || body === ".") throw outside(spec, "the host folder must name a folder inside /srv/<name>/");
  for (const seg of body.split("/")) {
    if (seg === "..") throw outside(spec, "'..' is not allowed in the host folder");
    if (seg === "." || seg === "") throw outside(spec, "empty or '.' path segments are not allowed");
    if (!SEGMENT.test(seg)) throw outside(spec, `folder name ${JSON.stringify(seg.length > 40 ? seg.slice(0, 40) + "..." : seg)} may use only letters, digits, '.', '_', '-'`);
  }
  // Lexical containment, belt and braces.
  const abs = posix.normalize(posix.join("/srv/x", body));
  if (!abs.startsWith("/srv/x/")) throw outside(spec, "resolves outside /srv/<name>/");
}

export const formatVolume = (v: VolumeSpec) => `${v.sub}:${v.containerPath}${v.options.length ? ":" + v.options.join(",") : ""}`;


const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + "/");

/**
 * Check on the machine that /srv/<name>/SUB resolves inside /srv/<name>/: /srv/<name> itself must not
 * be a symlink (or resolve away from /srv/<name>), and every existing prefix of SUB must resolve inside
 * it. A dangling symlink is refused too (it could point anywhere once its target appears).
 */
export async function checkVolumeOnMachine(exec: Executor, name: string, spec: string | VolumeSpec): Promise<VolumeSpec> {
  const v = typeof spec === "string" ? parseVolume(spec) : spec;
  const shown = typeof spec === "string" ? spec : formatVolume(v);
  await checkSrvRoot(exec, name, shown);
  const base = srvDir(name);
  const realBase = (await exec.realpath(base)) ?? base;
  let cur = base;
  for (const seg of v.sub.split("/")) {
    cur = `${cur}/${seg}`;
    const st = await exec.stat(cur);
    if (!st) break; // the rest does not exist yet: nixi creates real folders
    const real = await exec.realpath(cur);
    if (real === null) throw outside(shown, `${cur} is a dangling symlink`);
    if (!inside(real, realBase)) throw outside(shown, `${cur} is a symlink that resolves to ${real}, outside ${base}/`);
    if (st.type !== "dir" && st.type !== "symlink") throw outside(shown, `${cur} exists and is not a folder`);
  }
  return v;
}

/** /srv/<name> (and /srv) may exist; /srv/<name> must then resolve to <realpath of /srv>/<name>. */
export async function checkSrvRoot(exec: Executor, name: string, shown = `/srv/${name}`): Promise<void> {
  const base = srvDir(name);
  const st = await exec.stat(base);
  if (!st) return;
  const real = await exec.realpath(base);
  const realSrv = (await exec.realpath(SRV)) ?? SRV;
  if (real === null) throw outside(shown, `${base} is a dangling symlink`);
  if (real !== `${realSrv}/${name}`) throw outside(shown, `${base} resolves to ${real}, not to a folder of its own under /srv`);
  if (st.type !== "dir" && st.type !== "symlink") throw outside(shown, `${base} exists and is not a folder`);
}

/** Every folder to create for these volumes: /srv/<name> and each prefix of each SUB, sorted. */
export function dataFolders(name: string, vols: VolumeSpec[]): string[] {
  const out = new Set<string>([srvDir(name)]);
  for (const v of vols) {
    let cur = srvDir(name);
    for (const seg of v.sub.split("/")) {
      cur = `${cur}/${seg}`;
      out.add(cur);
    }
  }
  return [...out].sort();
}

/**
 * No host folder of a container may lie inside another of its host folders: the container can
 * write into the outer one, so it could swap the inner folder for a symlink (to /) between nixi's
 * check and the next start and see the target at the inner mount. The same folder twice is fine.
 * Folders of different containers cannot nest: a container name has no '/', so /srv/<a> and
 * /srv/<b> are disjoint (checkSrvRoot makes sure neither resolves into the other).
 */
export function checkNoNestedVolumes(vols: VolumeSpec[]): void {
  for (const a of vols) {
    for (const b of vols) {
      if (a.sub !== b.sub && b.sub.startsWith(a.sub + "/")) {
        throw new NixiError(
          "PATH_OUTSIDE_SRV",
          `volume ${JSON.stringify(formatVolume(b))} refused: its host folder ${b.sub} is inside ${a.sub}, which volume ${JSON.stringify(formatVolume(a))} already gives the container (it could replace ${b.sub} with a symlink out of /srv)`,
          `use folders side by side, e.g. --volume ${a.sub}:${a.containerPath} --volume ${b.sub.split("/").pop()}:${b.containerPath}`,
        );
      }
    }
  }
}

/**
 * The start-time half of the guarantee: a command for the container unit's ExecStartPre, ordered
 * after oci-containers' own pre-start script (which removes the old container, so nothing of it
 * runs), that refuses to start when /srv/<name> or any folder on the way to a host folder is a
 * symlink or not a folder. `[ -L ]` is lstat (never follows), checked from /srv/<name> down, so no
 * replaced component goes unseen. /bin/sh exists on every NixOS system (environment.binsh).
 * systemd unquotes "..." and expands % and $: the script has none of ", \\, % or $ (paths are
 * /srv/<name>/ plus checked segments: letters, digits, '.', '_', '-').
 */
export function startCheckScript(name: string, vols: VolumeSpec[]): string {
  const paths = dataFolders(name, vols);
  for (const p of paths) if (!/^\/srv\/[A-Za-z0-9._\/-]+$/.test(p)) throw new NixiError("PATH_OUTSIDE_SRV", `volume path ${JSON.stringify(p)} refused`);
  return paths
    .map((p) => `if [ -L ${p} ] || { [ -e ${p} ] && [ ! -d ${p} ]; }; then echo 'nixi: ${p} is a symlink or not a folder; refusing to start ${name} (see docs/containers.md)' >&2; exit 1; fi`)
    .join("; ");
}

export const startCheckCommand = (name: string, vols: VolumeSpec[]) => `/bin/sh -c "${startCheckScript(name, vols)}"`;
