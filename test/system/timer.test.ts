import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeEnv, treeHash, type Env } from "./_env.js";
import { evalModule, parseNix } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";

const NIXI = "/etc/nixos/nixi";

describe("timer create / remove (declarative)", () => {
  // Each test has its own machine and makes the timers it needs (any order).
  let e: Env;
  beforeEach(() => {
    e = makeEnv();
  });
  const file = (f: string) => join(e.root, NIXI, f);
  const backup = ["timer", "create", "backup", "--command", "restic backup /srv", "--on-calendar", "Mon..Fri 02:30", "--user", "backup", "--yes"];
  const given = async (...names: string[]) => {
    for (const n of names) {
      const argv = n === "backup" ? [...backup, "--no-rebuild"] : ["timer", "create", n, "--command", "true", "--on-calendar", "daily", "--yes", "--no-rebuild"];
      expect((await e.run(argv)).exitCode).toBe(0);
    }
    e.calls();
  };

  it("creates nixi-NAME service + timer, validated with the real systemd-analyze, and rebuilds once", async () => {
    const r = await e.run(["timer", "create", "backup", "--command", "restic backup /srv", "--on-calendar", "Mon..Fri 02:30", "--user", "backup", "--yes", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, changed: true, data: { name: "backup", unit: "nixi-backup", kind: "declarative", normalized: "Mon..Fri *-*-* 02:30:00", user: "backup" } });
    expect(r.json.data.nextRun).toMatch(/^[A-Z][a-z]{2} \d{4}-\d{2}-\d{2} 02:30:00 UTC$/);
    expect(e.calls()).toEqual(["nixos-rebuild switch"]);
    const v = await evalModule(file("timers.nix"));
    expect(v).toEqual({
      systemd: {
        services: { "nixi-backup": { description: "nixi timer backup", script: "restic backup /srv", serviceConfig: { Type: "oneshot", User: "backup" } } },
        timers: { "nixi-backup": { description: "nixi timer backup", wantedBy: ["timers.target"], timerConfig: { OnCalendar: "Mon..Fri 02:30", Persistent: true } } },
      },
    });
    expect(checkOptionPaths(v)).toEqual([]);
    expect(readFileSync(file("state.toml"), "utf8")).toContain('[timers.backup]\ncommand = "restic backup /srv"');
  });

  it("a declared command that looks like it holds a secret is refused (it would land in the Nix store)", async () => {
    const r = await e.run(["timer", "create", "sec", "--command", "curl -H 'Authorization: Bearer abcdefghijklmnop' https://x", "--on-calendar", "daily", "--yes", "--no-rebuild", "--json"]);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.json.error.code).toBe("INSECURE");
    expect(r.json.error.message).toContain("looks like it contains a secret");
    expect(r.stdout + r.stderr).not.toContain("abcdefghijklmnop");
    const plain = await e.run(["timer", "create", "plain", "--command", "restic backup --password-file /srv/.credentials/restic /srv", "--on-calendar", "daily", "--yes", "--no-rebuild", "--json"]);
    expect(plain.json.warnings).toEqual([]);
    expect((await e.run("timer remove plain --yes --no-rebuild")).exitCode).toBe(0);
    e.calls();
  });

  it("the same create again changes nothing; another definition under the name is refused", async () => {
    await given("backup");
    const again = await e.run(["timer", "create", "backup", "--command", "restic backup /srv", "--on-calendar", "Mon..Fri 02:30", "--user", "backup", "--yes", "--json"]);
    expect(again.exitCode).toBe(0);
    expect(again.json.changed).toBe(false);
    const d1 = await e.run(["timer", "create", "desc", "--command", "x", "--on-calendar", "daily", "--user", "bob", "--description", "Nightly", "--yes", "--no-rebuild"]);
    expect(d1.exitCode).toBe(0);
    const d2 = await e.run(["timer", "create", "desc", "--command", "x", "--on-calendar", "daily", "--user", "bob", "--description", "Nightly", "--yes", "--json"]);
    expect(d2.json.changed).toBe(false);
    expect((await e.run("timer remove desc --yes --no-rebuild")).exitCode).toBe(0);
    const before = treeHash(e.root);
    const other = await e.run(["timer", "create", "backup", "--command", "true", "--on-calendar", "daily", "--yes"]);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain("timer backup already exists");
    expect(treeHash(e.root)).toBe(before);
    e.calls();
  });

  it("hostile commands are the script, escaped exactly, never executed", async () => {
    const marker = join(e.state, "pwned");
    const hostile = [
      `echo "quoted" 'single' \\ back\\slash $HOME \${HOME} \${builtins.readFile /etc/shadow}`,
      `line1\nline2 ''\${x}'' "; touch ${marker}; "`,
      `touch ${marker} # \`backticks\` $(id) %n %% %{x}`,
    ];
    for (const [i, cmd] of hostile.entries()) {
      const r = await e.run(["timer", "create", `h${i}`, "--command", cmd, "--on-calendar", "daily", "--description", `100% sure "${i}"`, "--yes", "--no-rebuild"]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    await parseNix(file("timers.nix"));
    const v = await evalModule(file("timers.nix"));
    expect(checkOptionPaths(v)).toEqual([]);
    hostile.forEach((cmd, i) => {
      expect(v.systemd.services[`nixi-h${i}`].script).toBe(cmd);
      // % would be a unit-file specifier: written as %%
      expect(v.systemd.services[`nixi-h${i}`].description).toBe(`100%% sure "${i}"`);
    });
    expect(existsSync(marker)).toBe(false);
    // --no-rebuild: nothing ran
    expect(e.calls()).toEqual([]);
  });

  it("hostile OnCalendar, names, users and descriptions are rejected with exit 2 and nothing changes", async () => {
    const before = treeHash(e.root);
    const bad: Array<[string[], string]> = [
      [["--on-calendar", "daily; rm -rf /"], "daily; rm -rf /"],
      [["--on-calendar", "daily\nExecStartPre=/bin/sh -c evil"], "ExecStartPre"],
      [["--on-calendar", "--help"], "--help"],
      [["--on-calendar", "${builtins.abort \"x\"}"], "builtins.abort"],
      [["--on-calendar", "Mon..Fry 02:30"], "Mon..Fry 02:30"],
      [["--on-calendar", "2001-01-01"], "never elapses"],
      [["--on-calendar", "daily", "--user", "root\nExecStart=/bin/evil"], "ExecStart"],
      [["--on-calendar", "daily", "--user", "-oops"], "-oops"],
      [["--on-calendar", "daily", "--description", "x\nExecStart=/bin/evil"], "ExecStart"],
      [["--on-calendar", "daily", "--description", "ends with \\"], "ends with"],
      [[], "exactly one of --on-calendar"],
      [["--on-calendar", "daily", "--at", "+5min"], "exactly one of --on-calendar"],
    ];
    for (const [flags, needle] of bad) {
      const r = await e.run(["timer", "create", "evil", "--command", "true", ...flags, "--yes"]);
      expect(r.exitCode, `${flags.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(needle.split("\n")[0]);
    }
    for (const name of ["../x", "a b", "Upper", "-x", "nixi;x"]) {
      const r = await e.run(["timer", "create", name, "--command", "true", "--on-calendar", "daily", "--yes"]);
      expect(r.exitCode, name).toBe(2);
    }
    const noCmd = await e.run(["timer", "create", "x", "--on-calendar", "daily", "--yes"]);
    expect(noCmd.exitCode).toBe(2);
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls()).toEqual([]);
  });

  it("--dry-run and non-TTY without --yes leave the tree unchanged", async () => {
    await given("backup");
    const before = treeHash(e.root);
    const d = await e.run(["timer", "create", "dry", "--command", "true", "--on-calendar", "hourly", "--dry-run"]);
    expect(d.exitCode).toBe(0);
    expect(d.stdout).toContain("nixi-dry");
    const n = await e.run(["timer", "create", "dry", "--command", "true", "--on-calendar", "hourly"]);
    expect(n.exitCode).toBe(3);
    const rd = await e.run("timer remove backup --dry-run");
    expect(rd.exitCode).toBe(0);
    const rn = await e.run("timer remove backup");
    expect(rn.exitCode).toBe(3);
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls()).toEqual([]);
  });

  it("timer remove", async () => {
    await given("backup", "h0", "h1", "h2");
    const r = await e.run("timer remove backup --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ name: "backup", unit: "nixi-backup" });
    expect(e.calls()).toEqual(["nixos-rebuild switch"]);
    const v = await evalModule(file("timers.nix"));
    expect(Object.keys(v.systemd.timers).sort()).toEqual(["nixi-h0", "nixi-h1", "nixi-h2"]);
    const missing = await e.run("timer remove backup --yes --json");
    expect(missing.exitCode).toBe(1);
    expect(missing.json.error.message).toBe("nixi has no timer named backup");
    for (const n of ["h0", "h1", "h2"]) expect((await e.run(`timer remove ${n} --yes --no-rebuild`)).exitCode).toBe(0);
    expect(existsSync(file("timers.nix"))).toBe(false);
    e.calls();
  });
});

describe("timer create --at (transient, systemd-run)", () => {
  const e = makeEnv();
  beforeAll(async () => {
    // nixi's folder exists on a machine in use (the first change on a fresh machine writes default.nix and rebuilds)
    await e.run("timer create x --command true --on-calendar daily --yes --no-rebuild");
    await e.run("timer remove x --yes --no-rebuild");
    e.calls();
  });
  it("relative time: --on-active, no state change, no rebuild", async () => {
    // nixi's bookkeeping (.previous/) may move; state.toml and the modules must not
    const before = treeHash(e.root, { skipDotFiles: true });
    const r = await e.run(["timer", "create", "once", "--command", "echo 'hi' \"$USER\"", "--at", "+30min", "--user", "alice", "--yes", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ kind: "transient", unit: "nixi-once-once" });
    const calls = e.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBe(
      "systemd-run --unit=nixi-once-once --description=nixi\\ one-off\\ once --on-active=30min --timer-property=AccuracySec=1s --collect --uid=alice -- /bin/sh -c " +
        "echo\\ \\'hi\\'\\ \\\"\\$USER\\\"",
    );
    expect(treeHash(e.root, { skipDotFiles: true })).toBe(before);
  });
  it("absolute time: pinned to the next elapse from systemd-analyze", async () => {
    const r = await e.run(["timer", "create", "at3", "--command", "true", "--at", "03:00", "--yes", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const call = e.calls()[0];
    expect(call).toMatch(/--on-calendar=\d{4}-\d{2}-\d{2}\\ 03:00:00\\ UTC /);
    const bad = await e.run(["timer", "create", "at4", "--command", "true", "--at", "tomorrow; reboot", "--yes"]);
    expect(bad.exitCode).toBe(2);
    const dry = await e.run(["timer", "create", "at5", "--command", "true", "--at", "+1h", "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    const noyes = await e.run(["timer", "create", "at5", "--command", "true", "--at", "+1h"]);
    expect(noyes.exitCode).toBe(3);
    expect(e.calls()).toEqual([]);
  });
});

describe("timer list / status / enable / disable", () => {
  const e = makeEnv();
  beforeAll(async () => {
    await e.run(["timer", "create", "backup", "--command", "true", "--on-calendar", "daily", "--yes", "--no-rebuild"]);
    await e.run(["timer", "create", "staged", "--command", "true", "--on-calendar", "daily", "--yes", "--no-rebuild"]);
  });
  it("list marks nixi timers and staged ones", async () => {
    const j = await e.run("timer list --json");
    expect(j.exitCode, j.stderr).toBe(0);
    expect(e.calls()).toEqual([
      "systemctl list-timers --all --output=json --no-pager",
      "systemctl show nixi-backup.service logrotate.service nixos-upgrade.service --property=Id\\,Result\\,ExecMainStartTimestamp --no-pager",
    ]);
    expect(j.json.data).toEqual([
      { name: "backup", unit: "nixi-backup.timer", activates: "nixi-backup.service", next: "2025-11-22T02:30:00.000Z", last: "2025-11-21T02:30:00.123Z", nixi: true, staged: false, result: "exit-code" },
      { name: "logrotate", unit: "logrotate.timer", activates: "logrotate.service", next: "2025-11-22T00:00:00.000Z", last: "2025-11-21T00:00:00.004Z", nixi: false, staged: false, result: null },
      { name: "nixos-upgrade", unit: "nixos-upgrade.timer", activates: "nixos-upgrade.service", next: null, last: null, nixi: false, staged: false, result: null },
      { name: "staged", unit: "nixi-staged.timer", activates: "nixi-staged.service", next: null, last: null, nixi: true, staged: true, result: null },
    ]);
    const h = await e.run("timer list");
    expect(h.stdout).toMatch(/^NAME\s+NEXT\s+LAST\s+RESULT\s+ACTIVATES\s+NIXI/);
    expect(h.stdout).toContain("(staged: run nixi system rebuild)");
  });
  it("status shows schedule, next/last run and last result", async () => {
    const j = await e.run("timer status backup --json");
    expect(j.exitCode, j.stderr).toBe(0);
    expect(j.json.data).toEqual({
      name: "backup", unit: "nixi-backup.timer", service: "nixi-backup.service", description: "nixi timer backup", active: "active (waiting)", enabled: "enabled",
      schedule: ["*-*-* 02:30:00"], next: "2026-11-22T02:30:00.000Z", last: "2026-11-21T02:30:00.000Z", result: "exit-code", exitStatus: 1,
      lastExit: "2026-11-21T02:30:04.000Z", definition: { command: "true", onCalendar: "daily" },
    });
    const h = await e.run("timer status backup");
    expect(h.stdout).toMatch(/^last result:\s+exit-code \(exit 1\)$/m);
    const missing = await e.run("timer status nosuch --json");
    expect(missing.exitCode).toBe(1);
    expect(missing.json.error.message).toBe("timer nosuch.timer not found");
    e.calls();
  });
  it("enable / disable run systemctl --now on the timer unit", async () => {
    const en = await e.run("timer enable backup --json");
    expect(en.exitCode, en.stderr).toBe(0);
    expect(e.calls()[1]).toBe("systemctl enable --now nixi-backup.timer");
    expect(en.json.warnings).toEqual([]);
    const dis = await e.run("timer disable backup");
    expect(dis.exitCode).toBe(0);
    expect(e.calls()[1]).toBe("systemctl disable --now nixi-backup.timer");
    expect(dis.stderr).toContain("nixi timer remove backup");
    const other = await e.run("timer disable logrotate.timer --json");
    expect(other.exitCode).toBe(0);
    expect(e.calls()[1]).toBe("systemctl disable --now logrotate.timer");
  });
});

describe("hand-edited state.toml is validated before rendering", () => {
  it("a hostile OnCalendar, user or package in state.toml stops the rebuild with exit 2 and nothing changes", async () => {
    const cases = [
      '[timers.x]\ncommand = "true"\nonCalendar = "daily\\nExecStartPre=/bin/evil"\n',
      '[timers.x]\ncommand = "true"\nonCalendar = "daily"\nuser = "root\\nExecStart=/bin/evil"\n',
      '[timers."../x"]\ncommand = "true"\nonCalendar = "daily"\n',
      '[packages]\nsystem = ["htop; rm -rf /"]\n',
      '[packages]\nsystem = ["builtins.abort \\"x\\""]\n',
    ];
    for (const extra of cases) {
      const e = makeEnv();
      e.put("/etc/nixos/nixi/state.toml", `version = 1\n\n${extra}`);
      const before = treeHash(e.root);
      const r = await e.run("system rebuild --yes");
      expect(r.exitCode, `${extra}: ${r.stderr}`).toBe(2);
      expect(treeHash(e.root)).toBe(before);
      expect(e.calls()).toEqual([]);
    }
  });
});
