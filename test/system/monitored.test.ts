// Read commands must work on monitored nodes: every program call they make is marked readOnly
// and is on the monitored executor's allow-list.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeEnv, makeProfiles } from "./_env.js";
import { isReadOnlyArgv } from "../../src/exec/monitored.js";

describe("read commands only make calls the monitored executor allows", () => {
  it("every argv of every read command is on the read-only allow-list", async () => {
    const e = makeEnv({ flake: true });
    makeProfiles(e);
    const argvFile = join(e.state, "argv.bin");
    writeFileSync(argvFile, "");
    const reads = [
      "system info", "system generations", "system health --disk-percent 100",
      "service list", "service list --state failed", "service status nginx", "service logs nginx -n 5 --since today", "service failed",
      "timer list", "timer status logrotate", "pkg search htop", "channel list",
    ];
    for (const c of reads) {
      const r = await e.run(`${c} --json`, { env: { NIXI_FAKE_ARGV: argvFile } });
      expect([0, 8], `${c}: ${r.stderr}`).toContain(r.exitCode);
    }
    const calls = readFileSync(argvFile, "utf8").split("\x1e").filter(Boolean).map((rec) => rec.split("\0"));
    expect(calls.length).toBeGreaterThan(15);
    const refused = calls.filter((argv) => !isReadOnlyArgv(argv)).map((a) => a.join(" "));
    expect(refused).toEqual([]);
  });
});

describe("read commands run through the real MonitoredExecutor", () => {
  it("no call is refused (all are marked readOnly and allowed)", async () => {
    const { MonitoredExecutor } = await import("../../src/exec/monitored.js");
    const { LocalExecutor } = await import("../../src/exec/local.js");
    const { makeCtx } = await import("../../src/core/runner.js");
    const { configFromToml } = await import("../../src/core/config.js");
    const { COMMANDS } = await import("../../src/commands/registry.js");
    const { PassThrough } = await import("node:stream");
    const { FAKES } = await import("./_env.js");
    for (const flake of [false, true]) {
      const e = makeEnv({ flake });
      makeProfiles(e);
      const env = { ...process.env, PATH: `${FAKES}:${process.env.PATH}`, NIXI_FAKE_LOG: e.log, NIXI_FAKE_FAILED: "none", NIXI_ROOT_EXEC: "1" };
      const exec = new MonitoredExecutor(new LocalExecutor({ root: e.root, env, sudo: false }));
      const flags = { json: true, yes: false, dryRun: false, noRebuild: false, noInput: true, noColor: true, quiet: true, verbose: false, root: e.root, nodes: [], allNodes: false, tags: [], force: false };
      const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false };
      const cases: Array<[string, Record<string, unknown>]> = [
        ["system info", {}], ["system generations", {}], ["system health", { diskPercent: 100 }],
        ["service list", {}], ["service status", { name: "nginx" }], ["service logs", { name: "nginx", lines: 5 }], ["service failed", {}],
        ["timer list", {}], ["timer status", { name: "logrotate" }], ["pkg search", { term: "htop", limit: 5 }], ["pkg list", {}], ["channel list", {}],
      ];
      for (const [path, input] of cases) {
        const spec = COMMANDS.find((c) => c.path.join(" ") === path)!;
        const warnings: string[] = [];
        const ctx = makeCtx({ spec, input, flags, io, env } as any, configFromToml("/nonexistent/config.toml", {}, env), exec, "mon1", warnings);
        const data = await spec.run!(ctx, input);
        expect(data, `${path} (flake: ${flake})`).toBeTruthy();
        expect(warnings.filter((w) => /monitored/.test(w)), path).toEqual(path === "pkg list" ? [expect.stringContaining("monitored")] : []);
      }
      // and a change is refused by the executor itself
      await expect(exec.run(["systemctl", "restart", "nginx.service"], { readOnly: true })).rejects.toMatchObject({ code: "MONITORED" });
    }
  });
});
