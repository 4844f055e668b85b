// Errors name their real cause (issue #9 item 12). Built CLI (`npm run build` first).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { cleanupRoots, makeRoot } from "../helpers/tree.js";
import { FIX, makeEnv, makeProfiles } from "./_env.js";

afterAll(cleanupRoots);
const NIX = { NIX_CONFIG: "build-users-group =" };

describe("pkg install: only a missing attribute is 'no attribute'", () => {
  it("without nixpkgs on NIX_PATH the package is unchecked, with nix-env's own reason (real nix-env)", async () => {
    const root = makeRoot();
    const r = await runBin(`pkg install htop --yes --no-rebuild --json --root ${root}`, { env: { ...NIX, NIX_PATH: "" } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.data.unchecked).toEqual(["htop"]);
    expect(r.json.warnings.join("\n")).toContain("file 'nixpkgs' was not found in the Nix search path");
    expect(r.stdout + r.stderr).not.toContain("no attribute");
  });

  it("a nixpkgs without the attribute is still a usage error (real nix-env)", async () => {
    const pkgs = makeRoot({}, { bare: true });
    writeFileSync(join(pkgs, "default.nix"), "{ ... }: { hello = { type = \"derivation\"; name = \"hello-1\"; }; }\n");
    const root = makeRoot();
    const r = await runBin(`pkg install htopp --yes --no-rebuild --json --root ${root}`, { env: { ...NIX, NIX_PATH: `nixpkgs=${pkgs}` } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.json.error.message).toBe('unknown package "htopp": nixpkgs has no attribute htopp');
  });
});

describe("timer list on systemd's table output (versions that ignore --output=json)", () => {
  it("parses the table instead of failing with a JSON error", async () => {
    const e = makeEnv();
    const bin = makeRoot({}, { bare: true });
    const table = [
      "NEXT                        LEFT          LAST                        PASSED       UNIT                         ACTIVATES",
      "Wed 2026-12-02 00:00:00 UTC 2h 3min left  Tue 2026-12-01 00:00:00 UTC 21h ago      logrotate.timer              logrotate.service",
      "n/a                         n/a           n/a                         n/a          nixi-backup.timer            nixi-backup.service",
      "",
      "2 timers listed.",
    ].join("\n");
    writeFileSync(join(bin, "table.txt"), table + "\n");
    writeFileSync(join(bin, "systemctl"), `#!/bin/sh\ncase "$1" in\n  list-timers) cat ${join(bin, "table.txt")} ;;\n  show) exit 0 ;;\n  *) echo "shim: unexpected $*" >&2; exit 99 ;;\nesac\n`);
    chmodSync(join(bin, "systemctl"), 0o755);
    const r = await e.run("timer list --json", { path: [bin] });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.data.map((t: any) => [t.unit, t.activates, t.next, t.last])).toEqual([
      ["logrotate.timer", "logrotate.service", "2026-12-02T00:00:00.000Z", "2026-12-01T00:00:00.000Z"],
      ["nixi-backup.timer", "nixi-backup.service", null, null],
    ]);
    writeFileSync(join(bin, "table.txt"), "Failed to connect to bus: No such file or directory\n");
    const bad = await e.run("timer list --json", { path: [bin] });
    expect(bad.exitCode).toBe(1);
    expect(bad.json.error.message).toBe('systemctl list-timers printed neither JSON nor its table: "Failed to connect to bus: No such file or directory"');
    expect(bad.json.error.message).not.toMatch(/JSON at position|Unexpected token/);
  });
});

describe("system health: checks that cannot run are unknown, never healthy", () => {
  it("nothing checkable: every check unknown, exit 8, never 'healthy'", async () => {
    const root = makeRoot(); // no /proc files; under --root without NIXI_ROOT_EXEC no program runs
    const r = await runBin(`system health --json --root ${root}`, { env: { NIXI_ROOT_EXEC: undefined } });
    expect(r.exitCode, r.stdout).toBe(8);
    expect(r.json.data.ok).toBe(false);
    expect(r.json.data.failing).toEqual([]);
    expect(r.json.data.unknown).toEqual(["disk", "memory", "load", "failed-units", "smart", "reboot"]);
    expect(new Set(r.json.data.checks.map((c: any) => c.status))).toEqual(new Set(["unknown"]));
    const h = await runBin(`system health --root ${root}`, { env: { NIXI_ROOT_EXEC: undefined } });
    expect(h.exitCode).toBe(8);
    expect(h.stdout).not.toMatch(/healthy/);
    expect(h.stdout).toMatch(/^unknown: no check could run \(disk, memory, load, failed-units, smart, reboot\)$/m);
    expect(h.stdout).toMatch(/^UNKN disk/m);
  });

  it("some checks unknown: exit 0 but the summary says what was not checked", async () => {
    const e = makeEnv();
    makeProfiles(e);
    const r = await e.run("system health --disk-percent 100", { env: { NIXI_FAKE_FAILED: "none" } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^healthy$/m); // every check ran and passed
    e.put("/proc/loadavg", "garbage\n"); // now the load check cannot run
    const p = await e.run("system health --disk-percent 100 --json", { env: { NIXI_FAKE_FAILED: "none" } });
    expect(p.exitCode).toBe(0);
    expect(p.json.data.unknown).toEqual(["load"]);
    const h = await e.run("system health --disk-percent 100", { env: { NIXI_FAKE_FAILED: "none" } });
    expect(h.stdout).toMatch(/^no failing check, but not checked: load$/m);
    expect(h.stdout).not.toMatch(/^healthy$/m);
  });
});

describe("webhook failures say what happened", () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(302, { location: "http://127.0.0.1:9/elsewhere" }).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as any).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("a redirect is named, not 'TypeError'; the URL is not printed", async () => {
    const e = makeEnv({ meminfo: "meminfo-pressure" });
    makeProfiles(e);
    e.put("/proc/pressure/memory", readFileSync(join(FIX, "pressure-memory"), "utf8"));
    const r = await e.run(`system health --json --disk-percent 100 --webhook http://127.0.0.1:${port}/hook-token-abc`);
    expect(r.exitCode).toBe(8);
    expect(r.json.data.webhook).toEqual({ sent: false, status: null, error: "the server answered with a redirect (not followed)" });
    expect(r.json.warnings).toContain("webhook not delivered: the server answered with a redirect (not followed)");
    expect(r.stdout + r.stderr).not.toContain("hook-token-abc");
    expect(r.stdout).not.toContain("TypeError");
  });
});
