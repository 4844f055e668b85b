// The monitored wrapper refuses by itself: mutating methods always, run() unless readOnly AND allow-listed.
import { describe, expect, it } from "vitest";
import { MonitoredExecutor, isReadOnlyArgv } from "../../src/exec/monitored.js";
import type { Executor } from "../../src/core/executor.js";
import { NixiError } from "../../src/core/errors.js";

function inner(): Executor & { calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => async (...a: any[]) => {
    calls.push(`${name} ${JSON.stringify(a[0])}`);
    return name === "run" ? { exitCode: 0, stdout: "", stderr: "" } : name === "readdir" ? [] : null;
  };
  return {
    node: "m1",
    description: "fake",
    calls,
    run: rec("run") as any,
    which: rec("which") as any,
    readFile: rec("readFile") as any,
    writeFile: rec("writeFile") as any,
    stat: rec("stat") as any,
    realpath: rec("realpath") as any,
    readdir: rec("readdir") as any,
    mkdir: rec("mkdir") as any,
    remove: rec("remove") as any,
    rename: rec("rename") as any,
    chmod: rec("chmod") as any,
    batch: rec("batch") as any,
    execCount: () => 0,
    close: async () => {},
  };
}

async function refused(p: Promise<unknown>): Promise<NixiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NixiError);
    expect((e as NixiError).code).toBe("MONITORED");
    expect((e as NixiError).exitCode).toBe(4);
    return e as NixiError;
  }
  throw new Error("not refused");
}

describe("MonitoredExecutor", () => {
  it("refuses every mutating method without touching the inner executor", async () => {
    const i = inner();
    const m = new MonitoredExecutor(i);
    await refused(m.writeFile("/etc/nixos/nixi/state.toml", "x"));
    await refused(m.mkdir("/srv/x"));
    await refused(m.mkdir("/etc/nixos/nixi/.lock", { exclusive: true }));
    await refused(m.remove("/srv/x", { recursive: true }));
    await refused(m.rename("/a", "/b"));
    await refused(m.chmod("/a", 0o600));
    // a batch with one change in it is refused as a whole, reads and all
    await refused(m.batch([{ op: "read", path: "/etc/nixos/nixi/state.toml" }, { op: "write", path: "/etc/nixos/nixi/state.toml", content: "x" }]));
    await refused(m.batch([{ op: "lock", path: "/etc/nixos/nixi/.lock", holder: "pid=1" }]));
    await refused(m.batch([{ op: "link", from: "/a", to: "/b" }]));
    expect(i.calls).toEqual([]);
    await m.batch([{ op: "read", path: "/a" }, { op: "stat", path: "/b" }]);
    expect(i.calls).toEqual(['batch [{"op":"read","path":"/a"},{"op":"stat","path":"/b"}]']);
  });

  it("refuses run() not marked readOnly, even for a harmless program", async () => {
    const i = inner();
    const m = new MonitoredExecutor(i);
    const e = await refused(m.run(["systemctl", "status", "nginx"]));
    expect(e.message).toMatch(/monitored/);
    expect(i.calls).toEqual([]);
  });

  it("refuses readOnly calls whose argv is not on the allow-list (the caller's promise is not enough)", async () => {
    const i = inner();
    const m = new MonitoredExecutor(i);
    const bad = [
      ["nixos-rebuild", "switch"],
      ["systemctl", "restart", "nginx"],
      ["systemctl", "-p", "status", "restart", "nginx"],
      ["systemctl", "--no-pager", "stop", "x"],
      ["podman", "rm", "-f", "web"],
      ["podman", "--log-level", "ps", "run", "x"],
      ["docker", "container", "rm", "web"],
      ["nft", "flush", "ruleset"],
      ["nft", "list", "ruleset;", "flush", "ruleset"],
      ["nft", "-f", "/tmp/x"],
      ["iptables", "-F"],
      ["iptables", "-L", "-Z"],
      ["journalctl", "--vacuum-time=1s"],
      ["journalctl", "--rotate"],
      ["find", "/srv", "-delete"],
      ["find", "/", "-exec", "rm", "{}", ";"],
      ["rm", "-rf", "/srv/x"],
      ["tee", "/etc/x"],
      ["sh", "-c", "cat /etc/shadow"],
      ["sudo", "cat", "/x"],
      ["env", "cat"],
      ["hostname", "evil"],
      ["date", "-s", "2020-01-01"],
      ["mount", "-t", "nfs", "a:/b", "/mnt"],
      ["ip", "link", "set", "eth0", "down"],
      ["nix-env", "-i", "hello"],
      ["nix-env", "--delete-generations", "old"],
      ["nix-channel", "--update"],
      ["nix", "profile", "install", "nixpkgs#hello"],
      ["nix", "eval", "--write-to", "/tmp/x", "--expr", "1"],
      ["nvidia-smi", "-pm", "1"],
      ["hostnamectl", "--json=short", "set-hostname", "x"],
      ["reboot"],
      ["./cat", "x"],
      ["systemctl"],
    ];
    for (const argv of bad) {
      expect(isReadOnlyArgv(argv), argv.join(" ")).toBe(false);
      await refused(m.run(argv, { readOnly: true }));
    }
    expect(i.calls).toEqual([]);
  });

  it("lets allow-listed read-only calls and file reads through", async () => {
    const i = inner();
    const m = new MonitoredExecutor(i);
    const good = [
      ["systemctl", "status", "nginx"],
      ["systemctl", "--no-pager", "-p", "ActiveState", "show", "nginx"],
      ["systemctl", "list-units", "--type=service", "--output=json"],
      ["systemctl", "is-active", "nginx"],
      ["journalctl", "-u", "nginx", "-n", "50", "--no-pager", "-o", "json"],
      ["cat", "/proc/meminfo"],
      ["nft", "-j", "list", "ruleset"],
      ["iptables", "-S"],
      ["iptables", "-t", "nat", "-L", "-n"],
      ["podman", "ps", "-a", "--format", "json"],
      ["docker", "inspect", "web"],
      ["podman", "logs", "--tail", "100", "web"],
      ["nixos-version"],
      ["nixos-rebuild", "list-generations", "--json"],
      ["df", "-P"],
      ["uname", "-a"],
      ["/run/current-system/sw/bin/systemctl", "status"],
      ["nix-env", "-p", "/nix/var/nix/profiles/system", "--list-generations"],
      ["nix", "--extra-experimental-features", "nix-command flakes", "search", "nixpkgs", "hello", "--json"],
      ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv"],
    ];
    for (const argv of good) {
      expect(isReadOnlyArgv(argv), argv.join(" ")).toBe(true);
      await m.run(argv, { readOnly: true });
    }
    await m.readFile("/etc/nixos/nixi/state.toml");
    await m.stat("/srv");
    await m.readdir("/srv");
    await m.realpath("/srv");
    expect(i.calls.length).toBe(good.length + 4);
  });

  it("refuses environment variables that change how programs load", async () => {
    const m = new MonitoredExecutor(inner());
    await refused(m.run(["cat", "/x"], { readOnly: true, env: { LD_PRELOAD: "/tmp/x.so" } }));
    await m.run(["cat", "/x"], { readOnly: true, env: { LC_ALL: "C" } });
  });
});
