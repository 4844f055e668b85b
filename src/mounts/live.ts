// What is mounted (findmnt) and which block devices exist (lsblk), parsed from their JSON output.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { commandError, runChecked } from "../core/run.js";

export interface LiveMount {
  target: string;
  source: string;
  fstype: string;
  options: string[];
}

export const FINDMNT_ARGV = ["findmnt", "-J", "-l", "-o", "TARGET,SOURCE,FSTYPE,OPTIONS"];

/** findmnt -J (list or tree form) -> flat list. */
export function parseFindmnt(text: string): LiveMount[] {
  if (!text.trim()) return [];
  const doc = JSON.parse(text);
  const out: LiveMount[] = [];
  const walk = (list: any[]) => {
    for (const f of list ?? []) {
      out.push({ target: String(f.target ?? ""), source: String(f.source ?? ""), fstype: String(f.fstype ?? ""), options: String(f.options ?? "").split(",").filter(Boolean) });
      if (Array.isArray(f.children)) walk(f.children);
    }
  };
  walk(doc.filesystems ?? []);
  return out;
}

const UTIL_LINUX = "findmnt and lsblk come with util-linux";

async function findmnt(ctx: Ctx, extra: string[]): Promise<LiveMount[]> {
  const r = await runChecked(ctx, [...FINDMNT_ARGV, ...extra], { readOnly: true, timeoutMs: 15_000, allowFail: true, notFoundHint: UTIL_LINUX });
  // findmnt exits 1 when nothing matches
  if (r.exitCode === 1 && !r.stdout.trim()) return [];
  if (r.exitCode !== 0) throw commandError([...FINDMNT_ARGV, ...extra], r);
  try {
    return parseFindmnt(r.stdout);
  } catch (e: any) {
    throw new NixiError("FAILED", `cannot parse findmnt output: ${e.message}`);
  }
}

export const liveMounts = (ctx: Ctx) => findmnt(ctx, []);
/** The mounts stacked on this mount point, bottom first (empty when nothing is mounted there). */
export const mountsAt = (ctx: Ctx, target: string) => findmnt(ctx, ["--mountpoint", target]);

export interface BlockDevice {
  name: string;
  path: string;
  parent: string | null;
  sizeBytes: number | null;
  type: string;
  fstype: string | null;
  label: string | null;
  uuid: string | null;
  mountpoints: string[];
}

export const LSBLK_ARGV = ["lsblk", "-J", "-b", "-o", "NAME,PATH,SIZE,TYPE,FSTYPE,LABEL,UUID,MOUNTPOINTS"];

const str = (v: unknown) => (v === null || v === undefined || v === "" ? null : String(v));

/** lsblk -J -b (tree with children) -> flat list, each with its parent's path. */
export function parseLsblk(text: string): BlockDevice[] {
  if (!text.trim()) return [];
  const doc = JSON.parse(text);
  const out: BlockDevice[] = [];
  const walk = (list: any[], parent: string | null) => {
    for (const d of list ?? []) {
      const size = d.size === null || d.size === undefined ? null : Number(d.size);
      // util-linux < 2.37 has MOUNTPOINT (one string) instead of MOUNTPOINTS
      const mps = Array.isArray(d.mountpoints) ? d.mountpoints : d.mountpoint !== undefined ? [d.mountpoint] : [];
      const dev: BlockDevice = {
        name: String(d.name),
        path: String(d.path ?? `/dev/${d.name}`),
        parent,
        sizeBytes: size !== null && Number.isFinite(size) ? size : null,
        type: String(d.type ?? ""),
        fstype: str(d.fstype),
        label: str(d.label),
        uuid: str(d.uuid),
        mountpoints: mps.filter((m: unknown) => typeof m === "string" && m !== ""),
      };
      out.push(dev);
      if (Array.isArray(d.children)) walk(d.children, dev.path);
    }
  };
  walk(doc.blockdevices ?? [], null);
  return out;
}

export async function blockDevices(ctx: Ctx, paths: string[] = []): Promise<BlockDevice[]> {
  const r = await runChecked(ctx, [...LSBLK_ARGV, ...paths], { readOnly: true, timeoutMs: 15_000, notFoundHint: UTIL_LINUX });
  try {
    return parseLsblk(r.stdout);
  } catch (e: any) {
    throw new NixiError("FAILED", `cannot parse lsblk output: ${e.message}`);
  }
}

/** Kernel and systemd filesystems `mount list` hides unless --all. */
export const PSEUDO_FS = new Set([
  "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "pstore", "bpf", "debugfs", "tracefs", "configfs",
  "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc", "efivarfs", "nsfs", "rpc_pipefs", "selinuxfs", "ramfs",
]);
export const isSystemMount = (m: LiveMount) => PSEUDO_FS.has(m.fstype) || /^\/(proc|sys|dev)(\/|$)/.test(m.target);
