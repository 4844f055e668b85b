// Parsers of the net probes' output, on real output shapes (iproute2 ss, iputils ping/tracepath,
// traceroute, getent, resolvectl, bash's /dev/tcp errors), and the monitored allow-list for them.
import { describe, expect, it } from "vitest";
import { parseSs, splitLocal } from "../../src/net/ss.js";
import { parsePing } from "../../src/net/ping.js";
import { parseTracepath, parseTraceroute } from "../../src/net/trace.js";
import { parseCheck, checkArgv, CHECK_SCRIPT } from "../../src/net/check.js";
import { parseAhosts, parseResolvectl, nameservers, inHostsFile } from "../../src/net/resolve.js";
import { checkHost, parseHostPort } from "../../src/net/validate.js";
import { computeExposure } from "../../src/net/exposure.js";
import { isReadOnlyArgv } from "../../src/exec/monitored.js";

describe("ss -tulpnH", () => {
  it("reads tcp LISTEN and udp UNCONN sockets, v4 and v6, with interface scopes and processes", () => {
    const out = [
      'udp   UNCONN 0      0         127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=612,fd=13))',
      'udp   UNCONN 0      0      [fe80::1]%eth0:546           [::]:*    users:(("dhcpcd",pid=700,fd=9))',
      "udp   ESTAB  0      0          10.0.0.5:40000     10.0.0.1:53",
      'tcp   LISTEN 0      128          0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=800,fd=3))',
      'tcp   LISTEN 0      128             [::]:22            [::]:*    users:(("sshd",pid=800,fd=4))',
      "tcp   LISTEN 0      4096               *:9100             *:*",
      "",
    ].join("\n");
    expect(parseSs(out)).toEqual([
      { proto: "tcp", address: "0.0.0.0", port: 22, interface: null, process: "sshd", pid: 800 },
      { proto: "tcp", address: "::", port: 22, interface: null, process: "sshd", pid: 800 },
      { proto: "udp", address: "127.0.0.53", port: 53, interface: "lo", process: "systemd-resolve", pid: 612 },
      { proto: "udp", address: "fe80::1", port: 546, interface: "eth0", process: "dhcpcd", pid: 700 },
      { proto: "tcp", address: "0.0.0.0", port: 9100, interface: null, process: null, pid: null },
    ]);
    expect(splitLocal("nonsense")).toBeNull();
  });
});

describe("ping", () => {
  it("iputils, with errors and duplicates, and busybox", () => {
    expect(parsePing("--- h ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 2003ms\nrtt min/avg/max/mdev = 0.035/0.046/0.055/0.008 ms\n")).toEqual({ transmitted: 3, received: 3, lossPercent: 0, rttMs: { min: 0.035, avg: 0.046, max: 0.055 } });
    expect(parsePing("1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n")).toEqual({ transmitted: 1, received: 0, lossPercent: 100, rttMs: null });
    expect(parsePing("4 packets transmitted, 3 packets received, 25% packet loss\nround-trip min/avg/max = 1.1/2.2/3.3 ms\n")).toEqual({ transmitted: 4, received: 3, lossPercent: 25, rttMs: { min: 1.1, avg: 2.2, max: 3.3 } });
    expect(parsePing("ping: unknown host\n")).toBeNull();
  });
});

describe("tracepath / traceroute", () => {
  it("hops, silent hops and reached", () => {
    const tp = " 1?: [LOCALHOST]                      pmtu 1500\n 1:  10.0.0.1                                              0.301ms \n 1:  10.0.0.1                                              0.250ms \n 2:  no reply\n 3:  192.0.2.9                                             3.100ms reached\n     Resume: pmtu 1500 hops 3 back 3 \n";
    expect(parseTracepath(tp)).toEqual({ reached: true, hops: [{ hop: 1, address: "10.0.0.1", rttMs: 0.301 }, { hop: 2, address: null, rttMs: null }, { hop: 3, address: "192.0.2.9", rttMs: 3.1 }] });
    const tr = "traceroute to 192.0.2.9 (192.0.2.9), 5 hops max, 60 byte packets\n 1  10.0.0.1  0.064 ms\n 2  *\n 3  192.0.2.9  1.5 ms\n";
    expect(parseTraceroute(tr, "192.0.2.9")).toEqual({ reached: true, hops: [{ hop: 1, address: "10.0.0.1", rttMs: 0.064 }, { hop: 2, address: null, rttMs: null }, { hop: 3, address: "192.0.2.9", rttMs: 1.5 }] });
    expect(parseTraceroute(tr, "192.0.2.10").reached).toBe(false);
  });
});

describe("net check outcome", () => {
  it("open, refused, timeout, unresolved, unreachable from bash's messages and timeout's exit codes", () => {
    expect(parseCheck(0, "open 100.000100 100.001600\n", "", false)).toEqual({ state: "open", ms: 1.5, reason: null });
    expect(parseCheck(1, "closed 1.0 1.0\n", "nixi-net-check: connect: Connection refused\nnixi-net-check: line 1: /dev/tcp/h/1: Connection refused\n", false).state).toBe("refused");
    expect(parseCheck(1, "closed 1.0 1.0\n", "nixi-net-check: line 1: nope.invalid: Name or service not known\nnixi-net-check: line 1: /dev/tcp/nope.invalid/1: Invalid argument\n", false)).toMatchObject({ state: "unresolved", reason: "Name or service not known" });
    expect(parseCheck(1, "closed 1.0 1.0\n", "nixi-net-check: connect: No route to host\n", false).state).toBe("unreachable");
    expect(parseCheck(124, "", "", false).state).toBe("timeout");
    expect(parseCheck(137, "", "", false).state).toBe("timeout");
    expect(parseCheck(-1, "", "", true).state).toBe("timeout");
    // the host and port are positional parameters, never inside the script
    const argv = checkArgv("db", 5432, 5);
    expect(argv.slice(-2)).toEqual(["db", "5432"]);
    expect(CHECK_SCRIPT).not.toContain("db");
  });
});

describe("resolve", () => {
  it("getent ahosts, resolvectl, resolv.conf and the hosts file", () => {
    expect(parseAhosts("10.0.0.5       STREAM db.internal\n10.0.0.5       DGRAM  \n10.0.0.5       RAW    \nfd00::5        STREAM \n")).toEqual({ addresses: ["10.0.0.5", "fd00::5"], canonicalName: "db.internal" });
    expect(parseResolvectl("db.internal: 10.0.0.5                       -- link: eth0\n\n-- Information acquired via protocol DNS in 1.8ms.\n-- Data is authenticated: no\n")).toEqual({ protocol: "DNS", link: "eth0", ms: 1.8 });
    expect(nameservers("# generated\nnameserver 10.0.0.1\nnameserver fd00::1\noptions edns0\n")).toEqual(["10.0.0.1", "fd00::1"]);
    expect(inHostsFile("127.0.0.1 localhost\n10.0.0.5 db db.internal # the database\n", "DB")).toBe(true);
    expect(inHostsFile("# 10.0.0.5 db\n", "db")).toBe(false);
  });
});

describe("host validation", () => {
  it("accepts names and addresses, refuses option-like and malformed ones", () => {
    for (const ok of ["db", "web-1.example.org", "_sip._tcp.example.org", "10.0.0.5", "::1", "[fd00::1]", "example.org."]) expect(checkHost(ok), ok).not.toBeNull();
    for (const bad of ["", "-oProxyCommand=x", "--help", "a b", "a;b", "$(id)", "`id`", "300.1.1.1", "1.2.3", "-db", "db-", "a..b", "x".repeat(254), "ex\u0430mple.org", "::1:::x", "a/b"]) expect(checkHost(bad), bad).toBeNull();
    expect(parseHostPort("[::1]:22")).toEqual({ host: "::1", port: 22 });
    expect(parseHostPort("db:5432")).toEqual({ host: "db", port: 5432 });
    for (const bad of ["db", "db:", ":22", "db:0", "db:65536", "db:22a", "::1:22", "[::1]22", "-x:22"]) expect(parseHostPort(bad), bad).toBeNull();
  });
});

describe("exposure", () => {
  it("loopback, open, open on an interface, closed, firewall off, published by a container", () => {
    const l = (proto: "tcp" | "udp", address: string, port: number) => ({ proto, address, port, interface: null, process: null, pid: null });
    const rows = computeExposure({
      listeners: [l("tcp", "127.0.0.1", 5432), l("tcp", "0.0.0.0", 22), l("tcp", "::", 9100), l("udp", "0.0.0.0", 53), l("tcp", "0.0.0.0", 6380), l("tcp", "0.0.0.0", 3000)],
      declared: { tcp: [{ from: 22, to: 22 }], udp: [], interfaces: { eth1: { tcp: [{ from: 9100, to: 9100 }], udp: [] } } },
      live: [{ proto: "udp", from: 53, to: 53, chain: "inet nixos-fw input-allow" }],
      firewallEnabled: true,
      published: [{ container: "cache", hostIp: null, hostPort: 6380, containerPort: 6379, proto: "tcp" }, { container: "app", hostIp: "127.0.0.1", hostPort: 3000, containerPort: 3000, proto: "tcp" }],
    });
    expect(rows.map((r) => [r.port, r.firewall, r.interfaces, r.openedBy, r.publishedBy, r.exposed])).toEqual([
      [5432, "loopback", [], [], [], false],
      [22, "open", [], ["state"], [], true],
      [9100, "open-on-interface", ["eth1"], ["state"], [], true],
      [53, "open", [], ["live"], [], true],
      [6380, "closed", [], [], ["cache"], true],
      // published on 127.0.0.1 only: the network cannot reach it through the container
      [3000, "closed", [], [], ["app"], false],
    ]);
    const off = computeExposure({ listeners: [l("tcp", "0.0.0.0", 8080)], declared: { tcp: [], udp: [], interfaces: {} }, live: null, firewallEnabled: false, published: [] });
    expect(off[0]).toMatchObject({ firewall: "disabled", exposed: true });
  });
});

describe("monitored allow-list for the probes", () => {
  it("allows exactly nixi's bounded probe shapes", () => {
    for (const ok of [
      ["ping", "-n", "-c", "3", "-W", "2", "--", "10.0.0.5"],
      ["tracepath", "-n", "-m", "15", "--", "db"],
      ["traceroute", "-n", "-q", "1", "-w", "1", "-m", "15", "--", "db"],
      checkArgv("db", 5432, 5),
      ["resolvectl", "query", "--legend=yes", "db.internal"],
      ["getent", "ahosts", "db"],
      ["ss", "-t", "-u", "-l", "-n", "-p", "-H"],
      ["ip", "-j", "-6", "route", "show"],
    ]) expect(isReadOnlyArgv(ok), ok.join(" ")).toBe(true);
    for (const bad of [
      ["ping", "-f", "--", "db"],
      ["ping", "-i", "0", "-c", "3", "--", "db"],
      ["ping", "-c", "100000", "--", "db"],
      ["ping", "-n", "-c", "3", "db"],
      ["ping", "-c", "3", "--", "-oProxyCommand=x"],
      ["traceroute", "-g", "10.0.0.1", "--", "db"],
      ["tracepath", "-m", "255", "--", "db"],
      ["timeout", "-k", "1", "5", "bash", "-c", "rm -rf /", "nixi-net-check", "db", "22"],
      ["timeout", "-k", "1", "5", "bash", "-c", CHECK_SCRIPT, "nixi-net-check", "db;id", "22"],
      ["timeout", "5", "nft", "flush", "ruleset"],
      ["resolvectl", "flush-caches"],
      ["resolvectl", "dns", "eth0", "10.0.0.1"],
    ]) expect(isReadOnlyArgv(bad), bad.join(" ")).toBe(false);
  });
});
