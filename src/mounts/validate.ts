// Checks for mount targets, sources, filesystem types and option words. Pure functions: no zod,
// no I/O, so `mount list` and the mounts.nix renderer can use them cheaply.
import { NixiError } from "../core/errors.js";

/** Filesystem types nixi mounts and declares. */
export const FS_TYPES = [
  "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "bcachefs", "vfat", "exfat", "ntfs3", "ntfs", "iso9660", "udf", "squashfs",
  "zfs", "nfs", "nfs4", "cifs", "smb3", "tmpfs", "none", "auto",
] as const;
export const NETWORK_FS = new Set(["nfs", "nfs4", "cifs", "smb3"]);
const BLOCK_FS = new Set(["ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "bcachefs", "vfat", "exfat", "ntfs3", "ntfs", "iso9660", "udf", "squashfs", "auto"]);

/** Mount points nixi never mounts over or declares (exit 4). */
export const PROTECTED_TARGETS = ["/", "/nix", "/nix/store", "/boot", "/etc", "/usr", "/proc", "/sys", "/dev", "/run"];
const PROTECTED_TREES = ["/proc", "/sys", "/dev", "/nix/store"];

const q = JSON.stringify;
const usage = (m: string, hint?: string) => new NixiError("INVALID_ARGUMENT", m, hint);

/** An absolute, normalised mount point (trailing slash removed). Exit 2 for bad syntax, 4 for protected places. */
export function checkTarget(raw: string): string {
  if (typeof raw !== "string" || raw === "") throw usage(`mount point ${q(raw ?? "")} is empty`);
  if (!raw.startsWith("/")) throw usage(`mount point ${q(raw)} is not an absolute path`, "give the full path, e.g. /mnt/data");
  const segs = raw.split("/").filter((s) => s !== "");
  if (segs.some((s) => s === ".." || s === ".")) throw usage(`mount point ${q(raw)} contains "." or ".." segments`, "give the plain absolute path");
  if (/\/\//.test(raw)) throw usage(`mount point ${q(raw)} contains an empty path segment (//)`);
  if (!/^\/[A-Za-z0-9._@+\/-]*$/.test(raw) || raw.length > 1024) {
    throw usage(`mount point ${q(raw)} has characters nixi does not put in a mount point`, "letters, digits and . _ @ + - between slashes");
  }
  if (segs.some((s) => s.startsWith("-"))) throw usage(`mount point ${q(raw)} has a segment starting with "-"`);
  const path = "/" + segs.join("/");
  if (PROTECTED_TARGETS.includes(path) || PROTECTED_TREES.some((t) => path.startsWith(t + "/"))) {
    throw new NixiError("POLICY", `refusing to mount over ${q(path)}: the system itself lives there`, "choose a mount point such as /mnt/<name> or /srv/<name>");
  }
  return path;
}

export function checkFsType(raw: string): string {
  if (!(FS_TYPES as readonly string[]).includes(raw)) {
    throw usage(`filesystem type ${q(raw)} is not one nixi knows`, `one of: ${FS_TYPES.join(", ")}`);
  }
  return raw;
}

const SECRET_OPTION = /^(credentials|cred|password|password2|pass|passwd)(=|$)/i;

/** Option words from --options a,b=c (or a list of them). Secrets are refused: they go through the credentials file. */
export function checkOptions(raw: string | string[] | undefined, allowNixiCredentials = false): string[] {
  const parts = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((r) => r.split(","));
  const out: string[] = [];
  for (const w of parts) {
    if (w === "") throw usage(`--options ${q(Array.isArray(raw) ? raw.join(",") : raw ?? "")} has an empty option word`);
    if (!/^[A-Za-z0-9_.=:\/+-]+$/.test(w) || w.startsWith("-")) throw usage(`mount option ${q(w)} has characters nixi does not pass to mount`, "letters, digits and _ . = : / + - only");
    if (allowNixiCredentials && /^credentials=\/srv\/\.credentials\/mount-[A-Za-z0-9._-]+\.cred$/.test(w)) {
      if (!out.includes(w)) out.push(w);
      continue;
    }
    if (SECRET_OPTION.test(w)) {
      throw usage(`mount option ${q(w.split("=")[0])}= is not taken on the command line (it would be visible to every user)`, "give the SMB password on stdin, at the prompt, or with --credentials-file FILE");
    }
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

export type SourceKind = "nfs" | "smb" | "block" | "file" | "virtual";

/** Classify and check a mount source; returns its kind. */
export function checkSource(raw: string): SourceKind {
  if (typeof raw !== "string" || raw === "") throw usage(`mount source ${q(raw ?? "")} is empty`);
  if (raw.startsWith("-")) throw usage(`mount source ${q(raw)} starts with "-"`);
  if (raw.length > 1024) throw usage(`mount source ${q(raw.slice(0, 40) + "...")} is too long`);
  const noDots = (p: string) => !p.split("/").some((s) => s === ".." || s === ".");
  let m: RegExpExecArray | null;
  if ((m = /^\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])\/([A-Za-z0-9._$+-]+)((?:\/[A-Za-z0-9._$+-]+)*)\/?$/.exec(raw))) {
    if (!noDots(m[2] + m[3])) throw usage(`SMB share ${q(raw)} contains ".." segments`);
    return "smb";
  }
  if ((m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\/[A-Za-z0-9._@+\/-]*)$/.exec(raw))) {
    if (!noDots(m[2])) throw usage(`NFS export ${q(raw)} contains ".." segments`);
    return "nfs";
  }
  if (/^(UUID|PARTUUID)=[A-Fa-f0-9-]{1,64}$/.test(raw) || /^(LABEL|PARTLABEL)=[A-Za-z0-9._+-]{1,64}$/.test(raw)) return "block";
  if (raw.startsWith("/")) {
    if (!/^\/[A-Za-z0-9._@+:\/-]+$/.test(raw) || !noDots(raw) || raw.includes("//")) {
      throw usage(`mount source ${q(raw)} is not a plain absolute path`, "letters, digits and . _ @ + : - between slashes, no . or .. segments");
    }
    return raw.startsWith("/dev/") ? "block" : "file";
  }
  if (/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) return "virtual";
  throw usage(`mount source ${q(raw)} is not a device, UUID=/LABEL=, host:/export, //host/share or a filesystem name like tmpfs`);
}

/** The filesystem type to use: the given one (checked against the source) or one implied by the source. */
export function fsTypeFor(source: string, kind: SourceKind, type: string | undefined, options: string[]): string | undefined {
  if (type === undefined) {
    if (kind === "nfs") return "nfs";
    if (kind === "smb") return "cifs";
    if (kind === "virtual" && source === "tmpfs") return "tmpfs";
    if (kind === "virtual") throw usage(`mount source ${q(source)} needs --type (e.g. --type tmpfs)`);
    return undefined; // block device or image: mount detects it
  }
  const bind = options.some((o) => o === "bind" || o === "rbind");
  const mismatch = (want: string) => usage(`filesystem type ${q(type)} does not fit source ${q(source)}`, want);
  if ((type === "nfs" || type === "nfs4") && kind !== "nfs") throw mismatch("NFS sources look like host:/export");
  if ((type === "cifs" || type === "smb3") && kind !== "smb") throw mismatch("SMB sources look like //host/share");
  if (kind === "nfs" && type !== "nfs" && type !== "nfs4") throw mismatch("host:/export is mounted with --type nfs or nfs4");
  if (kind === "smb" && type !== "cifs" && type !== "smb3") throw mismatch("//host/share is mounted with --type cifs");
  if (BLOCK_FS.has(type) && kind === "virtual") throw mismatch("a disk filesystem needs a /dev path, UUID=/LABEL= or an image file with --options loop");
  if (type === "none" && !bind) throw usage(`filesystem type "none" is only for bind mounts`, "add --options bind");
  if (bind && kind !== "file" && kind !== "block") throw usage(`a bind mount needs an absolute source path, not ${q(source)}`);
  return type;
}

/** The device string NixOS understands for a source (UUID=x -> /dev/disk/by-uuid/x). */
export function nixDevice(source: string): string {
  const m = /^(UUID|PARTUUID|LABEL|PARTLABEL)=(.*)$/.exec(source);
  if (!m) return source.replace(/(.)\/$/, "$1");
  return `/dev/disk/by-${m[1].toLowerCase()}/${m[2]}`;
}

/** credentials file name for a mount point: /mnt/nas/share -> mount-mnt-nas-share.cred */
export const CREDENTIALS_DIR = "/srv/.credentials";
export function credentialsPath(target: string): string {
  const slug = target.replace(/^\//, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "") || "root";
  return `${CREDENTIALS_DIR}/mount-${slug}.cred`;
}

/** Options the kernel reports that are not worth (or not valid) declaring again. */
export function declarableOptions(reported: string[], fsType: string): { keep: string[]; dropped: string[] } {
  const keep: string[] = [];
  const dropped: string[] = [];
  for (const o of reported) {
    const key = o.split("=")[0];
    const drop =
      o === "rw" ||
      o === "seclabel" ||
      ["addr", "unc", "prefixpath", "local_lock", "clientaddr", "mfsymlinks_dummy"].includes(key) ||
      SECRET_OPTION.test(o) ||
      (NETWORK_FS.has(fsType) && (key === "username" || key === "user" || key === "domain")) ||
      !/^[A-Za-z0-9_.=:\/+-]+$/.test(o);
    (drop ? dropped : keep).push(o);
  }
  return { keep, dropped };
}

/** What an administrator adds to a persistent mount: nofail, and for network filesystems _netdev + automount. */
export function persistOptions(options: string[], fsType: string): string[] {
  const out = [...options];
  const add = (o: string) => {
    const key = o.split("=")[0];
    if (!out.some((x) => x.split("=")[0] === key)) out.push(o);
  };
  add("nofail");
  if (NETWORK_FS.has(fsType)) {
    add("_netdev");
    add("x-systemd.automount");
    add("x-systemd.idle-timeout=600");
  }
  return out;
}
