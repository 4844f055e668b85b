import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { osInfo, parseCpuinfo, parseDf, parseLoadavg, parseMeminfo, parseOsRelease, parsePressure, parseUptime, realDisks } from "../../src/system/proc.js";
import { parseJournal, parseShow, parseTimersJson, parseUnits, parseUnitsJson, parseUnitsPlain, showTimestamp, usecToIso } from "../../src/system/systemd.js";
import { parseChannelList, parseGcFreed, parseGenerationsJson, parseNixEnvJson, parseNixSearchJson, profileLinkNumber } from "../../src/system/nix.js";
import { parseSmartHealth, parseSmartScan } from "../../src/system/smart.js";
import { evaluateHealth, parsePeriodDays } from "../../src/system/health.js";

const fx = (name: string) => readFileSync(join(__dirname, "../fixtures/system", name), "utf8");

describe("proc parsers", () => {
  it("os-release", () => {
    const f = parseOsRelease(fx("os-release"));
    expect(osInfo(f)).toEqual({
      name: "NixOS", id: "nixos", version: "24.11 (Vicuna)", versionId: "24.11", codename: "vicuna",
      buildId: "24.11.20241123.5e4fbfb", prettyName: "NixOS 24.11 (Vicuna)",
    });
    expect(parseOsRelease('A="x \\"q\\" \\$y"\n# c\nB=\'s\'')).toEqual({ A: 'x "q" $y', B: "s" });
  });
  it("meminfo in bytes", () => {
    const m = parseMeminfo(fx("meminfo"));
    expect(m.totalBytes).toBe(8039716 * 1024);
    expect(m.availableBytes).toBe(5121880 * 1024);
    expect(m.usedBytes).toBe((8039716 - 5121880) * 1024);
    expect(m.swapTotalBytes).toBe(4194300 * 1024);
    expect(() => parseMeminfo("garbage")).toThrow(/MemTotal/);
    // the real machine's file parses too
    expect(parseMeminfo(readFileSync("/proc/meminfo", "utf8")).totalBytes).toBeGreaterThan(0);
  });
  it("loadavg, uptime, cpuinfo", () => {
    expect(parseLoadavg(fx("loadavg"))).toEqual({ load1: 0.42, load5: 0.35, load15: 0.3, runnable: 2, processes: 412 });
    expect(parseUptime(fx("uptime"))).toBe(356431);
    expect(parseCpuinfo(fx("cpuinfo"))).toEqual({ model: "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", count: 4 });
    expect(parseCpuinfo(readFileSync("/proc/cpuinfo", "utf8")).count).toBeGreaterThan(0);
    expect(() => parseLoadavg("x")).toThrow();
  });
  it("/proc/pressure/memory (PSI)", () => {
    expect(parsePressure(fx("pressure-memory"))).toEqual({
      some: { avg10: 12.5, avg60: 8.31, avg300: 2.04, totalUs: 51234567 },
      full: { avg10: 3.1, avg60: 1.2, avg300: 0.33, totalUs: 9876543 },
    });
    expect(parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").full).toBeNull();
    expect(() => parsePressure("x")).toThrow();
  });
  it("df -B1 --output with spaces in the mount point", () => {
    const d = parseDf(fx("df.txt"));
    expect(d).toHaveLength(7);
    const srv = d.find((x) => x.mount === "/srv/my data")!;
    expect(srv).toMatchObject({ source: "/dev/sdb1", fstype: "ext4", sizeBytes: 983349346304, usedBytes: 512983269376, availableBytes: 420354359296 });
    expect(srv.usePercent).toBe(55);
    expect(realDisks(d).map((x) => x.mount)).toEqual(["/", "/boot", "/srv/my data"]);
    expect(() => parseDf("Filesystem 1K-blocks Used Available Use% Mounted on\n")).toThrow(/header/);
  });
});

describe("systemd parsers", () => {
  it("list-units JSON and plain columns agree", () => {
    const j = parseUnitsJson(fx("list-units.json"));
    const p = parseUnitsPlain(fx("list-units.plain"));
    expect(p).toEqual(j);
    expect(parseUnits(fx("list-units.json"))).toEqual(j);
    expect(j.find((u) => u.unit === "postgresql.service")).toEqual({ unit: "postgresql.service", load: "loaded", active: "failed", sub: "failed", description: "PostgreSQL Server" });
    expect(parseUnitsPlain("● foo.service loaded failed failed Foo Bar\n")[0]).toMatchObject({ unit: "foo.service", description: "Foo Bar" });
  });
  it("systemctl show and timestamps", () => {
    const s = parseShow(fx("show-nginx.txt"));
    expect(s.ActiveState).toBe("active");
    expect(s.MainPID).toBe("1234");
    expect(showTimestamp(s.ActiveEnterTimestamp)).toBe("2026-11-21T10:00:00.000Z");
    expect(showTimestamp("@1763719200")).toBe("2025-11-21T10:00:00.000Z");
    expect(showTimestamp("n/a")).toBeNull();
    expect(showTimestamp("")).toBeNull();
    expect(parseShow("TimersCalendar={ OnCalendar=daily ; next_elapse=x }\n").TimersCalendar).toBe("{ OnCalendar=daily ; next_elapse=x }");
  });
  it("journalctl -o json lines, including byte-array messages", () => {
    const e = parseJournal(fx("journal-nginx.json"));
    expect(e).toHaveLength(4);
    expect(e[0]).toEqual({ time: "2025-11-21T10:00:00.123Z", unit: "init.scope", identifier: "systemd", pid: 1, priority: 6, message: "Started Nginx Web Server." });
    expect(e[1].priority).toBe(3);
    expect(e[2].message).toBe("status ok \u001b[0m");
    expect(parseJournal("not json\n\n")).toEqual([]);
  });
  it("list-timers JSON", () => {
    const t = parseTimersJson(fx("list-timers.json"));
    expect(t[0]).toEqual({ unit: "nixi-backup.timer", activates: "nixi-backup.service", next: "2025-11-22T02:30:00.000Z", last: "2025-11-21T02:30:00.123Z" });
    expect(t[2]).toMatchObject({ next: null, last: null });
    expect(usecToIso(0)).toBeNull();
  });
});

describe("nix parsers", () => {
  it("list-generations --json", () => {
    const g = parseGenerationsJson(fx("generations.json"));
    expect(g.map((x) => x.generation)).toEqual([42, 41, 40]);
    expect(g[0]).toEqual({ generation: 42, date: "2026-11-20T18:02:11", nixosVersion: "24.11.20241123.5e4fbfb", kernelVersion: "6.6.63", configurationRevision: null, specialisations: [], current: true });
    expect(profileLinkNumber("system-42-link")).toBe(42);
    expect(profileLinkNumber("system")).toBeNull();
    expect(profileLinkNumber("per-user")).toBeNull();
  });
  it("nix search --json and nix-env -qaP --json", () => {
    const s = parseNixSearchJson(fx("nix-search-htop.json"));
    expect(s.map((p) => p.attr)).toEqual(["btop", "htop", "htop-vim", "python312Packages.htop-py", "ripgrep"]);
    expect(s[3].description).toBeNull();
    const e = parseNixEnvJson(fx("nix-env-htop.json"));
    expect(e[0]).toEqual({ attr: "htop", pname: "htop", version: "3.3.0", description: "Interactive process viewer" });
    expect(parseNixEnvJson('{"nixos.htop":{"pname":"htop","version":"3"}}', true)[0].attr).toBe("htop");
  });
  it("nix-channel --list and gc output", () => {
    expect(parseChannelList(fx("nix-channel-list.txt"))).toEqual([
      { name: "nixos", url: "https://nixos.org/channels/nixos-24.11" },
      { name: "nixos-hardware", url: "https://github.com/NixOS/nixos-hardware/archive/master.tar.gz" },
    ]);
    expect(parseGcFreed("deleting '/nix/store/x'\n1234 store paths deleted, 567.50 MiB freed\n")).toEqual({ paths: 1234, freedBytes: Math.round(567.5 * 1024 * 1024) });
    expect(parsePeriodDays("14d")).toBe(14);
    expect(parsePeriodDays("2w")).toBe(14);
    expect(parsePeriodDays("14 days")).toBeNull();
  });
  it("smartctl -j", () => {
    expect(parseSmartScan(fx("smartctl-scan.json")).map((d) => d.name)).toEqual(["/dev/sda", "/dev/nvme0"]);
    expect(parseSmartHealth(fx("smartctl-sda.json"), "/dev/sda")).toEqual({ device: "/dev/sda", model: "Samsung SSD 870 EVO 1TB", passed: true, temperatureC: 31, exitStatus: 0 });
    expect(parseSmartHealth(fx("smartctl-nvme0-failing.json"), "/dev/nvme0")).toMatchObject({ passed: false, exitStatus: 8 });
  });
});

describe("health evaluation", () => {
  const t = { diskPercent: 90, memoryPercent: 90, loadPerCpu: 2 };
  const base = () => ({
    disks: realDisks(parseDf(fx("df.txt"))),
    memory: parseMeminfo(fx("meminfo")),
    load: parseLoadavg(fx("loadavg")),
    cpuCount: 4,
    failedUnits: [],
    smart: null,
    kernels: { booted: "/nix/store/a-linux-6.6.63/bzImage", current: "/nix/store/a-linux-6.6.63/bzImage" },
  });
  it("all pass", () => {
    const r = evaluateHealth(base(), t, "web1", new Date(0));
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.name, c.status])).toEqual([["disk", "ok"], ["memory", "ok"], ["load", "ok"], ["failed-units", "ok"], ["smart", "unknown"], ["reboot", "ok"]]);
  });
  it("each failure is reported", () => {
    const r = evaluateHealth({
      ...base(),
      disks: realDisks(parseDf(fx("df-full.txt"))),
      memory: parseMeminfo(fx("meminfo-pressure")),
      load: parseLoadavg(fx("loadavg-high")),
      failedUnits: parseUnitsJson(fx("list-units-failed.json")),
      smart: [parseSmartHealth(fx("smartctl-nvme0-failing.json"), "/dev/nvme0")],
      kernels: { booted: "/nix/store/a-linux-6.6.60/bzImage", current: "/nix/store/b-linux-6.6.63/bzImage" },
    }, t, "web1", new Date(0));
    expect(r.ok).toBe(false);
    expect(r.failing).toEqual(["disk", "memory", "load", "failed-units", "smart", "reboot"]);
    expect(r.checks[0].message).toContain("/ is 97% full");
    expect(r.checks[3].message).toContain("postgresql.service");
  });
});

describe("systemctl show with several units", () => {
  it("one block per unit", async () => {
    const { parseShowMany } = await import("../../src/system/systemd.js");
    expect(parseShowMany("Id=a.service\nResult=success\n\nId=b.service\nResult=exit-code\n")).toEqual([
      { Id: "a.service", Result: "success" },
      { Id: "b.service", Result: "exit-code" },
    ]);
  });
});
