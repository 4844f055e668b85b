// `system health`: pure evaluation of readings against thresholds.
import type { DiskUse, LoadAvg, MemInfo, Pressure } from "./proc.js";
import type { UnitRow } from "./systemd.js";
import type { SmartHealth } from "./smart.js";

export interface Thresholds {
  /** A mount fails above this used percentage. */
  diskPercent: number;
  /** Memory fails above this used percentage (MemTotal - MemAvailable). */
  memoryPercent: number;
  /** 5-minute load average per CPU above which load fails. */
  loadPerCpu: number;
}

/** unknown: the check could not run (like Nagios' UNKNOWN): never counted as passing. */
export type CheckStatus = "ok" | "fail" | "unknown";

export interface Check {
  name: "disk" | "memory" | "load" | "failed-units" | "smart" | "reboot";
  status: CheckStatus;
  message: string;
  /** Measured value (percent, load per CPU, count) when there is one. */
  value?: number;
  threshold?: number;
  details?: unknown;
}

export interface HealthReport {
  ok: boolean;
  hostname: string | null;
  checkedAt: string;
  failing: string[];
  /** Checks that could not run. With every check unknown, ok is false (nothing was checked). */
  unknown: string[];
  checks: Check[];
}

export interface Readings {
  disks: DiskUse[] | null;
  memory: MemInfo | null;
  /** Memory pressure (PSI) when the kernel has it: reported with the memory check. */
  memoryPressure?: Pressure | null;
  load: LoadAvg | null;
  cpuCount: number;
  failedUnits: UnitRow[] | null;
  /** null: smartctl absent (check skipped). */
  smart: SmartHealth[] | null;
  /** Store paths of the booted and current kernels; null when unknown. */
  kernels: { booted: string | null; current: string | null } | null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function evaluateHealth(r: Readings, t: Thresholds, hostname: string | null, now: Date): HealthReport {
  const checks: Check[] = [];

  if (r.disks === null) checks.push({ name: "disk", status: "unknown", message: "df is not available" });
  else {
    const over = r.disks.filter((d) => d.usePercent > t.diskPercent);
    const worst = r.disks.reduce((m, d) => Math.max(m, d.usePercent), 0);
    checks.push({
      name: "disk",
      status: over.length ? "fail" : "ok",
      message: over.length
        ? over.map((d) => `${d.mount} is ${d.usePercent}% full`).join(", ") + ` (limit ${t.diskPercent}%)`
        : `${r.disks.length} file system${r.disks.length === 1 ? "" : "s"}, fullest ${worst}% (limit ${t.diskPercent}%)`,
      value: worst,
      threshold: t.diskPercent,
      details: r.disks.map((d) => ({ mount: d.mount, usePercent: d.usePercent, availableBytes: d.availableBytes })),
    });
  }

  if (r.memory === null) checks.push({ name: "memory", status: "unknown", message: "/proc/meminfo is not readable" });
  else {
    const pct = r.memory.totalBytes > 0 ? round1((r.memory.usedBytes * 100) / r.memory.totalBytes) : 0;
    const fail = pct > t.memoryPercent;
    const psi = r.memoryPressure ?? null;
    checks.push({
      name: "memory",
      status: fail ? "fail" : "ok",
      message:
        `${pct}% used, ${Math.round(r.memory.availableBytes / 1048576)} MiB available (limit ${t.memoryPercent}%)` +
        (psi ? `; pressure: stalled ${psi.some.avg60}% of the last minute` : ""),
      value: pct,
      threshold: t.memoryPercent,
      ...(psi ? { details: { pressure: psi } } : {}),
    });
  }

  if (r.load === null) checks.push({ name: "load", status: "unknown", message: "/proc/loadavg is not readable" });
  else {
    const per = round1(r.load.load5 / Math.max(1, r.cpuCount));
    checks.push({
      name: "load",
      status: per > t.loadPerCpu ? "fail" : "ok",
      message: `5-minute load ${r.load.load5} on ${r.cpuCount} CPUs = ${per} per CPU (limit ${t.loadPerCpu})`,
      value: per,
      threshold: t.loadPerCpu,
    });
  }

  if (r.failedUnits === null) checks.push({ name: "failed-units", status: "unknown", message: "systemctl is not available" });
  else {
    const n = r.failedUnits.length;
    checks.push({
      name: "failed-units",
      status: n ? "fail" : "ok",
      message: n ? `${n} failed: ${r.failedUnits.map((u) => u.unit).join(", ")}` : "no failed units",
      value: n,
      threshold: 0,
      details: r.failedUnits.map((u) => u.unit),
    });
  }

  if (r.smart === null) checks.push({ name: "smart", status: "unknown", message: "smartctl is not installed" });
  else {
    const bad = r.smart.filter((s) => s.passed === false);
    checks.push({
      name: "smart",
      status: bad.length ? "fail" : "ok",
      message: bad.length
        ? `SMART reports failing: ${bad.map((s) => s.device).join(", ")}`
        : r.smart.length
          ? `${r.smart.length} devices passed`
          : "no SMART devices found",
      details: r.smart,
    });
  }

  if (r.kernels === null || !r.kernels.booted || !r.kernels.current) {
    checks.push({ name: "reboot", status: "unknown", message: "booted/current system not found" });
  } else {
    const pending = r.kernels.booted !== r.kernels.current;
    checks.push({
      name: "reboot",
      status: pending ? "fail" : "ok",
      message: pending ? "reboot pending: the current system has a different kernel than the booted one" : "running the current kernel",
      details: r.kernels,
    });
  }

  const failing = checks.filter((c) => c.status === "fail").map((c) => c.name);
  const unknown = checks.filter((c) => c.status === "unknown").map((c) => c.name);
  return { ok: failing.length === 0 && unknown.length < checks.length, hostname, checkedAt: now.toISOString(), failing, unknown, checks };
}

/** Parse "14d", "2w", "12h" into the form nix-collect-garbage --delete-older-than takes ("14d"). */
export function parsePeriodDays(s: string): number | null {
  const m = /^(\d{1,5})([dhw])$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === "d" ? n : m[2] === "w" ? n * 7 : n / 24;
}
