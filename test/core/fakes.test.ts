// The fakes answer like the programs they stand in for (systemd 252): state on stdout and the
// documented exit codes, errors for what the real program rejects.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/run.js";

const fake = (prog: string, ...args: string[]) => {
  const r = spawnSync(join(REPO, "test/fakes", prog), args, { encoding: "utf8", env: { ...process.env, NIXI_FAKE_LOG: "", NIXI_FAKE_STATE: "" } });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
};

describe("systemctl fake", () => {
  it.each([
    ["is-active", "nginx.service", 0, "active"],
    ["is-active", "postgresql.service", 3, "failed"],
    ["is-active", "nosuch.service", 3, "inactive"],
    ["is-failed", "postgresql.service", 0, "failed"],
    ["is-failed", "nginx.service", 1, "active"],
    ["is-failed", "nosuch.service", 1, "inactive"],
    ["is-enabled", "nginx.service", 0, "enabled"],
  ])("%s %s exits %i and prints %s", (verb, unit, code, out) => {
    expect(fake("systemctl", verb, unit)).toMatchObject({ code, out });
  });

  it("is-enabled of an unknown unit, enable/disable of one: exit 1 with systemd's message", () => {
    expect(fake("systemctl", "is-enabled", "nosuch.service")).toMatchObject({ code: 1, out: "", err: "Failed to get unit file state for nosuch.service: No such file or directory" });
    expect(fake("systemctl", "enable", "nosuch.service")).toMatchObject({ code: 1, err: "Failed to enable unit: Unit file nosuch.service does not exist." });
    expect(fake("systemctl", "disable", "nosuch.service").code).toBe(1);
    expect(fake("systemctl", "start", "nosuch.service")).toMatchObject({ code: 5, err: "Failed to start nosuch.service: Unit nosuch.service not found." });
  });

  it("--quiet prints nothing; an unknown verb is exit 99", () => {
    expect(fake("systemctl", "is-active", "--quiet", "nginx.service")).toMatchObject({ code: 0, out: "" });
    expect(fake("systemctl", "frobnicate").code).toBe(99);
  });
});

describe("journalctl fake", () => {
  it("-n takes a number or all; anything else is exit 1", () => {
    expect(fake("journalctl", "-u", "nginx", "-o", "json", "-n", "2").out.split("\n")).toHaveLength(2);
    expect(fake("journalctl", "-u", "nginx", "-o", "json", "-n", "all").code).toBe(0);
    expect(fake("journalctl", "-u", "nginx", "-o", "json", "-n", "many")).toMatchObject({ code: 1, err: "Failed to parse lines 'many'" });
    expect(fake("journalctl", "-u", "nginx", "-o", "json", "-n", "-5").code).toBe(1);
  });

  it.each(["today", "yesterday", "-2h", "1 hour ago", "2026-11-21 10:00", "2026-11-21", "@1700000000", "10:30"])("--since %s is accepted", (t) => {
    expect(fake("journalctl", "-u", "nginx", "-o", "json", "--since", t).code).toBe(0);
  });

  it.each(["banana", "1 fortnight ago", "2026-13", "yesterday; rm"])("--since %s fails like journalctl", (t) => {
    expect(fake("journalctl", "-u", "nginx", "-o", "json", "--since", t)).toMatchObject({ code: 1, err: `Failed to parse timestamp: ${t}` });
  });
});

describe("nix-channel fake", () => {
  it("never writes the committed fixture when it has no state folder", () => {
    expect(fake("nix-channel", "--add", "https://example.org/x", "x").code).toBe(99);
  });
});
