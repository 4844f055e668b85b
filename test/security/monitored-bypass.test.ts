// Adversarial: argvs that pass for "read-only" at a glance but change the machine. Each was
// accepted by the monitored executor's allow-list before the fix that this file guards.
import { describe, expect, it } from "vitest";
import { isReadOnlyArgv, MonitoredExecutor } from "../../src/exec/monitored.js";
import type { Executor } from "../../src/core/executor.js";

const WRITERS: string[][] = [
  // getopt_long accepts unambiguous prefixes: --rot = --rotate, --cursor-f = --cursor-file (writes FILE)
  ["journalctl", "--rot"],
  ["journalctl", "--flu"],
  ["journalctl", "--syn"],
  ["journalctl", "--relinq"],
  ["journalctl", "--setup"],
  ["journalctl", "--vac=1s"],
  ["journalctl", "-u", "nginx", "--cursor-file=/etc/passwd"],
  ["journalctl", "--cursor-f", "/etc/shadow"],
  // optional-argument option: journalctl -n does not consume "--rotate", the walk must not skip it
  ["journalctl", "-n", "--rotate"],
  ["systemctl", "-n", "--host=evil", "status"],
  // podman global options after the subcommand
  ["podman", "ps", "--root", "/etc"],
  ["podman", "ps", "--root=/etc"],
  ["podman", "ps", "--out", "/etc/passwd"],
  ["podman", "logs", "--url", "tcp://1.2.3.4:1", "web"],
  ["podman", "ps", "--sync"],
  ["podman", "inspect", "--storage-opt", "x=y", "web"],
  ["podman", "container", "inspect", "--hooks-dir", "/tmp", "web"],
  ["docker", "compose", "config", "-o", "/etc/passwd"],
  ["docker", "compose", "config", "--output=/etc/passwd"],
  // iptables-save -M runs the given program as root
  ["iptables-save", "-M", "/tmp/evil"],
  // smartctl -l scterc,R,W / scttempint,N set drive parameters
  ["smartctl", "-l", "scterc,70,70", "/dev/sda"],
  ["smartctl", "--log=scttempint,1,p", "/dev/sda"],
  // ss -K kills sockets (also clustered or as a prefix), -D writes a file
  ["ss", "-tK", "dst", "1.2.3.4"],
  ["ss", "--kil"],
  ["ss", "-D", "/etc/passwd"],
  // sensors -s writes limits, blkid -c writes its cache file
  ["sensors", "-s"],
  ["blkid", "-c", "/etc/passwd"],
  // systemd-analyze verify runs generators / man
  ["systemd-analyze", "verify", "--generators=yes", "x.service"],
  ["systemd-analyze", "calendar", "--root=/tmp/x", "daily"],
  // an absolute path is a program of that name only in the system's program folders
  ["/tmp/evil/cat", "/etc/hostname"],
  ["/srv/web/data/systemctl", "status"],
];

const READERS: string[][] = [
  ["journalctl", "-u", "nginx.service", "-o", "json", "--no-pager", "-n", "50", "--since=today", "-f"],
  ["podman", "logs", "--timestamps", "--tail", "10", "--since", "10m", "--follow", "--", "web"],
  ["podman", "ps", "-a", "--format", "json"],
  ["docker", "ps", "-a", "--no-trunc", "--format", "{{json .}}"],
  ["docker", "container", "inspect", "a", "b"],
  ["podman", "network", "inspect", "nixi"],
  ["smartctl", "-H", "-i", "-j", "/dev/sda"],
  ["smartctl", "-l", "selftest", "/dev/sda"],
  ["systemd-analyze", "calendar", "--", "*-*-* 02:30"],
  ["/run/current-system/sw/bin/systemctl", "status"],
  ["/usr/bin/cat", "/etc/hostname"],
];

describe("monitored executor: read-looking argvs that write are refused", () => {
  it.each(WRITERS.map((a) => [a.join(" "), a]))("refuses %s", (_s, argv) => {
    expect(isReadOnlyArgv(argv as string[])).toBe(false);
  });
  it.each(READERS.map((a) => [a.join(" "), a]))("still allows %s", (_s, argv) => {
    expect(isReadOnlyArgv(argv as string[])).toBe(true);
  });

  it("refuses PAGER/SYSTEMD_PAGER (a command line the program runs) and never reaches the node", async () => {
    const ran: string[][] = [];
    const inner = { node: "m", description: "fake", run: async (argv: string[]) => (ran.push(argv), { exitCode: 0, stdout: "", stderr: "" }) } as unknown as Executor;
    const m = new MonitoredExecutor(inner);
    for (const k of ["PAGER", "SYSTEMD_PAGER"]) {
      await expect(m.run(["systemctl", "status"], { readOnly: true, env: { [k]: "sh -c 'rm -rf /'" } })).rejects.toMatchObject({ code: "MONITORED" });
    }
    await expect(m.run(["journalctl", "--rot"], { readOnly: true })).rejects.toMatchObject({ code: "MONITORED" });
    expect(ran).toEqual([]);
  });
});
