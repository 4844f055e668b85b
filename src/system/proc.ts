// Pure parsers for files under /etc and /proc, and for `df -B1 --output=...`.
// Every function takes the raw text and returns typed values (bytes, seconds), never formatted strings.

/** /etc/os-release: KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) {
      const q = v[0];
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\([\\"$`])/g, "$1");
    }
    out[m[1]] = v;
  }
  return out;
}

export interface OsInfo {
  name: string;
  id: string;
  version: string | null;
  versionId: string | null;
  codename: string | null;
  buildId: string | null;
  prettyName: string | null;
}

export function osInfo(fields: Record<string, string>): OsInfo {
  return {
    name: fields.NAME ?? "Linux",
    id: fields.ID ?? "linux",
    version: fields.VERSION ?? null,
    versionId: fields.VERSION_ID ?? null,
    codename: fields.VERSION_CODENAME ?? null,
    buildId: fields.BUILD_ID ?? null,
    prettyName: fields.PRETTY_NAME ?? null,
  };
}

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
  freeBytes: number;
  usedBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

/** /proc/meminfo: "MemTotal:       24682416 kB". MemAvailable is missing on kernels < 3.14: estimated. */
export function parseMeminfo(text: string): MemInfo {
  const kv: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line.trim());
    if (m) kv[m[1]] = Number(m[2]) * (m[3] ? 1024 : 1);
  }
  if (kv.MemTotal === undefined) throw new Error("not a /proc/meminfo file: no MemTotal line");
  const total = kv.MemTotal;
  const free = kv.MemFree ?? 0;
  const available = kv.MemAvailable ?? free + (kv.Buffers ?? 0) + (kv.Cached ?? 0);
  return {
    totalBytes: total,
    availableBytes: available,
    freeBytes: free,
    usedBytes: Math.max(0, total - available),
    swapTotalBytes: kv.SwapTotal ?? 0,
    swapFreeBytes: kv.SwapFree ?? 0,
  };
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
  runnable: number;
  processes: number;
}

/** /proc/loadavg: "0.28 0.29 0.13 3/92 5857". */
export function parseLoadavg(text: string): LoadAvg {
  const m = /^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)/.exec(text);
  if (!m) throw new Error(`not a /proc/loadavg line: ${JSON.stringify(text.slice(0, 60))}`);
  return { load1: Number(m[1]), load5: Number(m[2]), load15: Number(m[3]), runnable: Number(m[4]), processes: Number(m[5]) };
}

/** /proc/uptime: "294.66 502.98" (seconds up, idle seconds summed over CPUs). */
export function parseUptime(text: string): number {
  const m = /^\s*([\d.]+)\s/.exec(text + " ");
  if (!m) throw new Error(`not a /proc/uptime line: ${JSON.stringify(text.slice(0, 60))}`);
  return Math.floor(Number(m[1]));
}

export interface CpuInfo {
  model: string | null;
  count: number;
}

/** /proc/cpuinfo: one block per logical CPU ("processor : N"); model from "model name" (x86) or "Model"/"CPU part" (ARM). */
export function parseCpuinfo(text: string): CpuInfo {
  let count = 0;
  let model: string | null = null;
  let boardModel: string | null = null;
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (key === "processor") count++;
    else if (key === "model name" && model === null) model = value;
    else if (key === "Model" && boardModel === null) boardModel = value;
  }
  return { model: model ?? boardModel, count: Math.max(count, 1) };
}

export interface DiskUse {
  source: string;
  fstype: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** Used share of the space available to users, like df's Use% (rounded up). */
  usePercent: number;
  mount: string;
}

/** The df argv nixi runs; parseDf expects exactly these columns. */
export const DF_ARGV = ["df", "-B1", "--output=source,fstype,size,used,avail,target"];

/** Pseudo file systems that are never "disks" for reporting and health. */
export const PSEUDO_FS = new Set(["tmpfs", "devtmpfs", "proc", "sysfs", "cgroup", "cgroup2", "overlay", "squashfs", "ramfs", "efivarfs", "autofs", "devpts", "securityfs", "pstore", "bpf", "tracefs", "debugfs", "configfs", "fusectl", "mqueue", "hugetlbfs", "nsfs", "binfmt_misc"]);

/** `df -B1 --output=source,fstype,size,used,avail,target`: a header line, then one line per mount (the mount point may contain spaces). */
export function parseDf(text: string): DiskUse[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return [];
  if (!/^Filesystem\s+Type\s+1B-blocks\s+Used\s+Avail\s+Mounted on\s*$/.test(lines[0])) {
    throw new Error(`unexpected df header: ${JSON.stringify(lines[0])}`);
  }
  const out: DiskUse[] = [];
  for (const line of lines.slice(1)) {
    const m = /^(\S+)\s+(\S+)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`unexpected df line: ${JSON.stringify(line)}`);
    const size = m[3] === "-" ? 0 : Number(m[3]);
    const used = m[4] === "-" ? 0 : Number(m[4]);
    const avail = m[5] === "-" ? 0 : Number(m[5]);
    const denom = used + avail;
    out.push({
      source: m[1],
      fstype: m[2],
      sizeBytes: size,
      usedBytes: used,
      availableBytes: avail,
      usePercent: denom > 0 ? Math.ceil((used * 100) / denom) : 0,
      mount: m[6].trimEnd(),
    });
  }
  return out;
}

/** Real disks: drops pseudo file systems and zero-size entries. */
export const realDisks = (d: DiskUse[]) => d.filter((x) => !PSEUDO_FS.has(x.fstype) && x.sizeBytes > 0);

export interface Pressure {
  some: { avg10: number; avg60: number; avg300: number; totalUs: number };
  full: { avg10: number; avg60: number; avg300: number; totalUs: number } | null;
}

/** /proc/pressure/memory (PSI, kernel ≥ 4.20): "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and a "full" line. */
export function parsePressure(text: string): Pressure {
  const line = (kind: string) => {
    const m = new RegExp(`^${kind} avg10=([\\d.]+) avg60=([\\d.]+) avg300=([\\d.]+) total=(\\d+)`, "m").exec(text);
    return m ? { avg10: Number(m[1]), avg60: Number(m[2]), avg300: Number(m[3]), totalUs: Number(m[4]) } : null;
  };
  const some = line("some");
  if (!some) throw new Error("not a /proc/pressure file: no \"some\" line");
  return { some, full: line("full") };
}
