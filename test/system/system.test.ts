import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAKES, FIX, makeEnv, makeProfiles, treeHash, type Env } from "./_env.js";

describe("system info", () => {
  let e: Env;
  beforeEach(() => {
    e = makeEnv();
    makeProfiles(e);
  });
  it("--json has typed numbers", async () => {
    const r = await e.run("system info --json", { env: { NIXI_FAKE_GENERATIONS: "none" } });
    expect(r.exitCode, r.stderr).toBe(0);
    const d = r.json.data;
    expect(d).toMatchObject({
      hostname: "web1",
      os: { name: "NixOS", versionId: "24.11", codename: "vicuna", buildId: "24.11.20241123.5e4fbfb" },
      kernel: "6.6.63",
      uptimeSeconds: 356431,
      cpu: { model: "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", count: 4 },
      memory: { totalBytes: 8039716 * 1024, availableBytes: 5121880 * 1024 },
      load: { load1: 0.42, load5: 0.35, load15: 0.3 },
      generation: 42,
      configuration: "channels",
    });
    // disks come from the real df of this machine: typed numbers, no pseudo file systems
    expect(d.disks.length).toBeGreaterThan(0);
    for (const disk of d.disks) {
      expect(typeof disk.sizeBytes).toBe("number");
      expect(["tmpfs", "devtmpfs", "proc"]).not.toContain(disk.fstype);
    }
    e.calls();
  });
  it("human output is a short aligned block; flake systems say so", async () => {
    const r = await e.run("system info");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^host:\s+web1$/m);
    expect(r.stdout).toMatch(/^system:\s+NixOS 24\.11 \(vicuna\), build 24\.11\.20241123\.5e4fbfb$/m);
    expect(r.stdout).toMatch(/^uptime:\s+4d 3h 0m$/m);
    expect(r.stdout).toMatch(/^cpu:\s+4 × Intel/m);
    expect(r.stdout).toMatch(/^memory:\s+2\.8 GiB used of 7\.7 GiB/m);
    expect(r.stdout).toMatch(/^generation:\s+42$/m);
    e.put("/etc/nixos/flake.nix", "{ outputs = _: { }; }\n");
    const f = await e.run("system info --json");
    expect(f.json.data.configuration).toBe("flake");
    e.calls();
  });
});

describe("system generations", () => {
  let e: Env;
  beforeEach(() => {
    e = makeEnv();
    makeProfiles(e);
  });
  it("from nixos-rebuild list-generations --json", async () => {
    const r = await e.run("system generations --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(e.calls()).toEqual(["nixos-rebuild list-generations --json"]);
    expect(r.json.data.map((g: any) => [g.generation, g.current, g.kernelVersion])).toEqual([[42, true, "6.6.63"], [41, false, "6.6.60"], [40, false, "6.6.53"]]);
    // exact UTC times from the profile links replace nixos-rebuild's zone-less local times
    expect(r.json.data[0].date).toBe("2026-11-20T18:02:11.000Z");
    const h = await e.run("system generations");
    expect(h.stdout).toMatch(/^GEN\s+DATE\s+NIXOS\s+KERNEL$/m);
    expect(h.stdout).toMatch(/^42 \*\s+2026-11-20 18:02:11Z\s+24\.11\.20241123\.5e4fbfb\s+6\.6\.63$/m);
    e.calls();
  });
  it("falls back to the system profile links", async () => {
    const r = await e.run("system generations --json", { env: { NIXI_FAKE_GENERATIONS: "none" } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.map((g: any) => [g.generation, g.current, g.nixosVersion, g.kernelVersion])).toEqual([
      [42, true, "24.11.20241123.5e4fbfb", "6.6.63"],
      [41, false, "24.11.20241109.76612b1", "6.6.60"],
      [40, false, "24.05.20240930.1925c60", "6.6.53"],
    ]);
    expect(r.json.data.map((g: any) => g.date)).toEqual(["2026-11-20T18:02:11.000Z", "2026-11-14T09:47:30.000Z", "2026-10-02T21:13:05.000Z"]);
    e.calls();
  });
});

describe("system rollback / reboot / upgrade / gc (imperative changes)", () => {
  let e: Env;
  beforeEach(() => {
    e = makeEnv();
    makeProfiles(e);
  });

  it("nothing runs on --dry-run or without --yes off a TTY", async () => {
    const before = treeHash(e.root);
    for (const cmd of ["system rollback", "system rollback --to 40", "system reboot", "system reboot --when +5", "system upgrade", "system gc", "system gc --keep 1"]) {
      const d = await e.run(`${cmd} --dry-run --json`);
      expect(d.exitCode, `${cmd}: ${d.stderr}`).toBe(0);
      expect(d.json.changed).toBe(false);
      expect(d.json.plan.commands.length).toBeGreaterThan(0);
      const n = await e.run(cmd);
      expect(n.exitCode, cmd).toBe(3);
      expect(n.stderr).toContain("--yes");
    }
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls().filter((c) => !c.startsWith("nixos-rebuild list-generations"))).toEqual([]);
  });

  it("rollback to the previous generation", async () => {
    const d = await e.run("system rollback --dry-run --json");
    expect(d.json.plan).toMatchObject({ summary: ["switch the system from generation 42 (NixOS 24.11.20241123.5e4fbfb, 2026-11-20) to 41 (NixOS 24.11.20241109.76612b1, 2026-11-14)"], commands: ["nixos-rebuild switch --rollback"] });
    const r = await e.run("system rollback --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ from: 42, to: 41 });
    expect(e.calls().filter((c) => !c.includes("list-generations"))).toEqual(["nixos-rebuild switch --rollback"]);
  });

  it("rollback --to N: unknown N is exit 2, the current one changes nothing, a failed activation restores the profile", async () => {
    const bad = await e.run("system rollback --to 99 --yes");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("generation 99 does not exist");
    const same = await e.run("system rollback --to 42 --yes --json");
    expect(same.exitCode).toBe(0);
    expect(same.json.changed).toBe(false);
    e.calls();
    // the activation script is /nix/var/nix/profiles/system/bin/switch-to-configuration on the machine: absent here
    const r = await e.run("system rollback --to 40 --yes --json");
    expect(r.exitCode).toBe(1);
    expect(r.json.error.message).toContain("activating generation 40 failed; the system profile points at generation 42 again");
    expect(e.calls().filter((c) => !c.includes("list-generations"))).toEqual([
      "nix-env --profile /nix/var/nix/profiles/system --switch-generation 40",
      "nix-env --profile /nix/var/nix/profiles/system --switch-generation 42",
    ]);
  });

  it("reboot now or later", async () => {
    const r = await e.run("system reboot --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ when: "now" });
    expect(e.calls()).toEqual(["shutdown -r now"]);
    const later = await e.run("system reboot --when 03:30 --yes");
    expect(later.exitCode).toBe(0);
    expect(e.calls()).toEqual(["shutdown -r 03:30"]);
    for (const w of ["tomorrow", "+5; reboot", "25:00", "-h"]) {
      const b = await e.run(["system", "reboot", "--when", w, "--yes"]);
      expect(b.exitCode, w).toBe(2);
    }
    expect(e.calls()).toEqual([]);
  });

  it("upgrade on a channel system", async () => {
    const r = await e.run("system upgrade --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ configuration: "channels", mode: "switch" });
    expect(e.calls()).toEqual(["nixos-rebuild switch --upgrade"]);
  });

  it("gc: plan lists the generations, never the current one", async () => {
    const keep = await e.run("system gc --keep 1 --dry-run --json");
    expect(keep.json.data.delete.map((g: any) => g.generation)).toEqual([40, 41]);
    expect(keep.json.plan.commands).toEqual([
      "nix-env --profile /nix/var/nix/profiles/system --delete-generations 40 41",
      "nix-collect-garbage",
      "/run/current-system/bin/switch-to-configuration boot",
    ]);
    const none = await e.run("system gc --older-than 99999d --dry-run --json");
    expect(none.json.data.delete).toEqual([]);
    expect(none.json.plan.commands).toEqual(["nix-collect-garbage"]);
    const def = await e.run("system gc --dry-run --json");
    expect(def.json.data.olderThanDays).toBe(14);
    expect(def.json.data.delete.map((g: any) => g.generation)).toContain(40);
    expect(def.json.data.delete.map((g: any) => g.generation)).not.toContain(42);
    const bad = await e.run("system gc --older-than 14days --yes");
    expect(bad.exitCode).toBe(2);
    e.calls();
    const r = await e.run("system gc --keep 2 --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ keep: 2, kept: [42, 41], freedBytes: Math.round(567.5 * 1048576), deletedPaths: 1234 });
    expect(r.json.warnings.join(" ")).toContain("boot menu was not updated");
    expect(e.calls().filter((c) => !c.includes("list-generations"))).toEqual([
      "nix-env --profile /nix/var/nix/profiles/system --delete-generations 40",
      "nix-collect-garbage",
    ]);
  });
});

describe("system upgrade on a flake system", () => {
  let e: Env;
  beforeEach(() => {
    e = makeEnv({ flake: true });
  });
  it("updates flake.lock then rebuilds", async () => {
    e.put("/etc/nixos/flake.lock", '{"version":7}\n');
    const r = await e.run("system upgrade --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ configuration: "flake", mode: "switch", flakeLockChanged: true });
    expect(e.calls()).toEqual(["nix --extra-experimental-features nix-command\\ flakes flake update", "nixos-rebuild switch"]);
  });
  it("a failed rebuild restores flake.lock byte for byte and exits 6", async () => {
    e.put("/etc/nixos/flake.lock", '{"version":7, "old": true}\n');
    const r = await e.run("system upgrade --yes --json", { env: { NIXI_FAKE_REBUILD_FAIL: "1" } });
    expect(r.exitCode).toBe(6);
    expect(r.json.error.message).toContain("flake.lock was restored");
    expect(readFileSync(join(e.root, "etc/nixos/flake.lock"), "utf8")).toBe('{"version":7, "old": true}\n');
    e.calls();
  });
});

describe("system health", () => {
  let server: Server;
  let port = 0;
  const received: Array<{ method: string; type: string; body: any }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => {
        received.push({ method: req.method!, type: String(req.headers["content-type"]), body: JSON.parse(b) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as any).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  // Each test sees only the webhook calls it caused.
  beforeEach(() => {
    received.splice(0);
  });

  it("exit 0 when every check passes (real df, fake root /proc, no webhook call)", async () => {
    const e = makeEnv();
    makeProfiles(e);
    const r = await e.run(`system health --json --disk-percent 100 --webhook http://127.0.0.1:${port}/hook`, { env: { NIXI_FAKE_FAILED: "none" } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.ok).toBe(true);
    expect(r.json.data.checks.map((c: any) => [c.name, c.status])).toEqual([["disk", "ok"], ["memory", "ok"], ["load", "ok"], ["failed-units", "ok"], ["smart", "ok"], ["reboot", "ok"]]);
    expect(r.json.data.checks[1].value).toBe(36.3);
    expect(r.json.data.webhook).toBeNull();
    expect(received).toHaveLength(0);
    const h = await e.run("system health --disk-percent 100", { env: { NIXI_FAKE_FAILED: "none" } });
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toMatch(/^ok {3}memory {7}36\.3% used/m);
    expect(h.stdout).toMatch(/^healthy$/m);
  });

  it("exit 8 with memory pressure and a failed unit; the webhook gets the JSON summary", async () => {
    const e = makeEnv({ meminfo: "meminfo-pressure" });
    makeProfiles(e);
    e.put("/proc/pressure/memory", readFileSync(join(FIX, "pressure-memory"), "utf8"));
    const r = await e.run(`system health --json --disk-percent 100 --webhook http://127.0.0.1:${port}/hook`);
    expect(r.json.data.checks[1].details.pressure.some.avg60).toBe(8.31);
    expect(r.json.data.checks[1].message).toContain("pressure: stalled 8.31% of the last minute");
    expect(r.exitCode).toBe(8);
    expect(r.json.ok).toBe(true);
    expect(r.json.data.failing).toEqual(["memory", "failed-units"]);
    expect(r.json.data.webhook).toEqual({ sent: true, status: 204, error: null });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "POST", type: "application/json", body: { ok: false, hostname: "web1", node: "local", failing: ["memory", "failed-units"] } });
    expect(received[0].body.checks.find((c: any) => c.name === "failed-units").details).toEqual(["postgresql.service"]);
    // the URL is never printed (webhook URLs often carry tokens)
    expect(r.stdout).not.toContain(`127.0.0.1:${port}`);
    const h = await e.run("system health --disk-percent 100");
    expect(h.exitCode).toBe(8);
    expect(h.stdout).toMatch(/^FAIL memory {7}97% used, 236 MiB available \(limit 90%\); pressure: stalled 8\.31% of the last minute$/m);
    expect(h.stdout).toMatch(/^unhealthy: memory, failed-units$/m);
  });

  it("full disk, failing SMART and a pending reboot each fail; thresholds come from config.toml too", async () => {
    const e = makeEnv({ path: [join(FAKES, "df-full")] });
    makeProfiles(e, { bootedKernel: "old" });
    const r = await e.run("system health --json", { env: { NIXI_FAKE_FAILED: "none", NIXI_FAKE_SMART_FAILING: "/dev/nvme0" } });
    expect(r.exitCode).toBe(8);
    expect(r.json.data.failing).toEqual(["disk", "smart", "reboot"]);
    expect(r.json.data.checks[0].message).toBe("/ is 97% full (limit 90%)");
    const cfg = join(e.state, "config.toml");
    writeFileSync(cfg, "[health]\ndisk_percent = 98\n");
    const c = await e.run("system health --json", { env: { NIXI_CONFIG: cfg, NIXI_FAKE_FAILED: "none" } });
    expect(c.json.data.checks[0]).toMatchObject({ status: "ok", threshold: 98 });
    expect(c.exitCode).toBe(8); // the reboot is still pending
  });

  it("an unreachable webhook is a warning; the exit code stays 8", async () => {
    const e = makeEnv({ meminfo: "meminfo-pressure" });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const deadPort = (closed.address() as any).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await e.run(`system health --json --disk-percent 100 --webhook http://127.0.0.1:${deadPort}/x`);
    expect(r.exitCode).toBe(8);
    expect(r.json.data.webhook).toMatchObject({ sent: false, status: null });
    expect(r.json.warnings.join(" ")).toContain("webhook not delivered");
    const bad = await e.run("system health --webhook file:///etc/passwd");
    expect(bad.exitCode).toBe(2);
  });
});
