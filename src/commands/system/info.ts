import { defineCommand } from "../../core/command.js";

export interface SystemInfo {
  hostname: string | null;
  os: { name: string; id: string; version: string | null; versionId: string | null; codename: string | null; buildId: string | null; prettyName: string | null } | null;
  kernel: string | null;
  uptimeSeconds: number | null;
  cpu: { model: string | null; count: number } | null;
  memory: { totalBytes: number; availableBytes: number; usedBytes: number; swapTotalBytes: number; swapFreeBytes: number } | null;
  load: { load1: number; load5: number; load15: number } | null;
  disks: Array<{ mount: string; source: string; fstype: string; sizeBytes: number; usedBytes: number; availableBytes: number; usePercent: number }>;
  generation: number | null;
  configuration: "flake" | "channels";
  containerRuntime: string | null;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "-";
  const u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}

export function duration(s: number | null): string {
  if (s === null) return "-";
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d ? `${d}d` : "", h ? `${h}h` : "", `${m}m`].filter(Boolean).join(" ");
}

export default defineCommand<Record<string, never>, SystemInfo>({
  path: ["system", "info"],
  summary: "Host, NixOS version, kernel, uptime, CPU, memory, disks, generation",
  risk: "read",
  examples: ["nixi system info", "nixi system info --json", "nixi system info --node web1"],
  jsonFields: ["hostname", "os", "kernel", "uptimeSeconds", "cpu", "memory", "load", "disks", "generation", "configuration", "containerRuntime"],
  async run(ctx) {
    const g = await import("../../system/gather.js");
    const p = await import("../../system/proc.js");
    const parse = <T>(text: string | null, f: (t: string) => T): T | null => {
      if (text === null) return null;
      try {
        return f(text);
      } catch {
        return null;
      }
    };
    const FILES = ["/etc/os-release", "/proc/sys/kernel/osrelease", "/proc/uptime", "/proc/cpuinfo", "/proc/meminfo", "/proc/loadavg"];
    // the files (and the hostname, the flake check) in one round trip (issue 11)
    ctx = { ...ctx, exec: await (await import("../../exec/prefetch.js")).prefetchFiles(ctx.exec, [...FILES, "/etc/hostname", "/proc/sys/kernel/hostname"], [`${g.nixosDir(ctx)}/flake.nix`]) };
    const [osText, kernelText, uptimeText, cpuText, memText, loadText] = await Promise.all(FILES.map((f) => g.readText(ctx, f)));
    let generation: number | null = null;
    try {
      generation = (await g.generations(ctx)).generations.find((x) => x.current)?.generation ?? null;
    } catch {}
    let disks: SystemInfo["disks"] = [];
    try {
      disks = ((await g.diskUse(ctx)) ?? []).map((d) => ({ mount: d.mount, source: d.source, fstype: d.fstype, sizeBytes: d.sizeBytes, usedBytes: d.usedBytes, availableBytes: d.availableBytes, usePercent: d.usePercent }));
    } catch (e: any) {
      ctx.warn(`disk use unavailable: ${e.message}`);
    }
    const mem = parse(memText, p.parseMeminfo);
    const load = parse(loadText, p.parseLoadavg);
    return {
      hostname: await g.hostname(ctx),
      os: parse(osText, (t) => p.osInfo(p.parseOsRelease(t))),
      kernel: kernelText?.trim() || null,
      uptimeSeconds: parse(uptimeText, p.parseUptime),
      cpu: parse(cpuText, p.parseCpuinfo),
      memory: mem && { totalBytes: mem.totalBytes, availableBytes: mem.availableBytes, usedBytes: mem.usedBytes, swapTotalBytes: mem.swapTotalBytes, swapFreeBytes: mem.swapFreeBytes },
      load: load && { load1: load.load1, load5: load.load5, load15: load.load15 },
      disks,
      generation,
      configuration: (await g.isFlake(ctx)) ? "flake" : "channels",
      containerRuntime: await g.containerRuntime(ctx),
    };
  },
  render(i, out) {
    out.kv([
      ["host", i.hostname],
      ["system", i.os ? `${i.os.name} ${i.os.versionId ?? ""}${i.os.codename ? ` (${i.os.codename})` : ""}${i.os.buildId ? `, build ${i.os.buildId}` : ""}` : null],
      ["kernel", i.kernel],
      ["uptime", duration(i.uptimeSeconds)],
      ["cpu", i.cpu ? `${i.cpu.count} × ${i.cpu.model ?? "unknown"}` : null],
      ["memory", i.memory ? `${bytes(i.memory.usedBytes)} used of ${bytes(i.memory.totalBytes)} (${bytes(i.memory.availableBytes)} available)` : null],
      ["load", i.load ? `${i.load.load1} ${i.load.load5} ${i.load.load15}` : null],
      ...i.disks.map((d): [string, unknown] => [`disk ${d.mount}`, `${d.usePercent}% of ${bytes(d.sizeBytes)} (${bytes(d.availableBytes)} free)`]),
      ["generation", i.generation],
      ["configuration", i.configuration],
      ["containers", i.containerRuntime ?? "none"],
    ]);
  },
});
