// `nixi net` through the built CLI against real parts: a network namespace with a veth pair this
// test makes, real listeners inside it, an nft drop rule for the timed-out case, real ip, ss, ping,
// tracepath and getent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { runBin } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";
import { cleanup, makeNetns, waitPort, type Netns } from "../helpers/sshd.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

let ns: Netns;
const listeners: ChildProcess[] = [];
const inNs = () => ({ prefix: ["ip", "netns", "exec", ns.name] });

/** A TCP listener inside the namespace (node), killed by PID in afterAll. */
async function listen(host: string, port: number): Promise<void> {
  const child = spawn("ip", ["netns", "exec", ns.name, process.execPath, "-e", `require("net").createServer((s) => s.end()).listen(${port}, ${JSON.stringify(host)})`], { stdio: "ignore" });
  listeners.push(child);
  // reachable from the host only for the veth address; loopback ones are checked from inside
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const out = execFileSync("ip", ["netns", "exec", ns.name, "ss", "-tlnH"]).toString();
    if (out.includes(`:${port} `)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`listener ${host}:${port} did not start`);
}

beforeAll(async () => {
  ns = makeNetns("net", 91);
  await listen(ns.address, 5432);
  await listen("0.0.0.0", 8080);
  await listen("127.0.0.1", 6379);
  await listen("0.0.0.0", 6380);
  await waitPort(ns.address, 5432);
});

afterAll(async () => {
  for (const c of listeners) c.kill("SIGKILL");
  cleanupRoots();
  await cleanup();
});

describe("net interfaces / routes", () => {
  it("shows the namespace's interfaces with state, MTU and addresses", async () => {
    const r = await runBin("net interfaces --json", inNs());
    expect(r.exitCode, r.stderr).toBe(0);
    const env = expectEnvelope(r.json);
    expect(env.command).toBe("net interfaces");
    const byName = Object.fromEntries(env.data.interfaces.map((i: any) => [i.name, i]));
    expect(byName.eth0).toMatchObject({ state: "up", mtu: 1500 });
    expect(byName.eth0.addresses).toContainEqual({ family: "inet", address: ns.address, prefixlen: 24, scope: "global" });
    expect(byName.eth0.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(byName.lo).toMatchObject({ state: "up", mac: null });
    const human = await runBin("net interfaces", inNs());
    expect(human.stdout).toMatch(new RegExp(`eth0\\s+up\\s+1500\\s+\\S+\\s+${ns.address.replace(/\./g, "\\.")}/24`));
  });

  it("shows the routing table, IPv4 and IPv6", async () => {
    execFileSync("ip", ["netns", "exec", ns.name, "ip", "route", "add", "10.213.92.0/24", "via", ns.hostAddress, "metric", "7"]);
    const r = await runBin("net routes --json", inNs());
    expect(r.exitCode, r.stderr).toBe(0);
    const routes = expectEnvelope(r.json).data.routes;
    expect(routes).toContainEqual({ family: "inet", destination: "10.213.91.0/24", gateway: null, device: "eth0", protocol: "kernel", metric: null, source: ns.address });
    expect(routes).toContainEqual({ family: "inet", destination: "10.213.92.0/24", gateway: ns.hostAddress, device: "eth0", protocol: null, metric: 7, source: null });
    expect(routes.some((x: any) => x.family === "inet6")).toBe(true);
  });
});

describe("net ping / check / trace / resolve", () => {
  it("ping: replies, loss and rtt; an address nobody has is exit 1 with 100% loss", async () => {
    const r = await runBin(`net ping ${ns.address} --count 2 --timeout 1 --json`);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d).toMatchObject({ host: ns.address, reachable: true, transmitted: 2, received: 2, lossPercent: 0 });
    expect(d.rttMs.min).toBeGreaterThan(0);
    expect(d.rttMs.max).toBeGreaterThanOrEqual(d.rttMs.avg);
    const lost = await runBin(`net ping 10.213.91.9 --count 1 --timeout 1 --json`);
    expect(lost.exitCode).toBe(1);
    expect(expectEnvelope(lost.json).error.message).toMatch(/10\.213\.91\.9 did not answer: 1 sent, 0 received \(100% loss\)/);
  });

  it("check: open with the time, refused, and timed out behind an nft drop rule", async () => {
    const open = await runBin(`net check ${ns.address}:5432 --json`);
    expect(open.exitCode, open.stderr).toBe(0);
    const d = expectEnvelope(open.json).data;
    expect(d).toMatchObject({ host: ns.address, port: 5432, state: "open", reason: null });
    expect(d.ms).toBeGreaterThanOrEqual(0);
    const refused = await runBin(`net check ${ns.address}:5433 --json`);
    expect(refused.exitCode).toBe(1);
    expect(refused.json.error.details.result.state).toBe("refused");
    expect(refused.json.error.message).toBe(`${ns.address}:5433: refused (nothing listens there, or a firewall rejects)`);
    ns.drop();
    try {
      const started = Date.now();
      const t = await runBin(`net check ${ns.address}:5432 --timeout 1 --json`);
      expect(t.exitCode).toBe(1);
      expect(t.json.error.details.result.state).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      ns.undrop();
    }
    // from inside the namespace: loopback listener
    const lo = await runBin("net check 127.0.0.1:6379", inNs());
    expect(lo.exitCode).toBe(0);
    expect(lo.stdout).toMatch(/^127\.0\.0\.1:6379 open \([\d.]+ ms\)$/m);
  });

  it("trace: hop by hop to the namespace", async () => {
    const r = await runBin(`net trace ${ns.address} --max-hops 3 --json`);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d.tool).toBe("tracepath");
    expect(d.reached).toBe(true);
    expect(d.hops[0]).toMatchObject({ hop: 1, address: ns.address });
  });

  it("resolve: addresses and which resolver answered; an unknown name is exit 1", async () => {
    const r = await runBin("net resolve localhost --json");
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d.addresses).toContain("127.0.0.1");
    expect(d.resolver.source).toBe("hosts-file");
    // inside the namespace no DNS server is reachable: the lookup fails at once
    const bad = await runBin("net resolve no-such-host.invalid --json", inNs());
    expect(bad.exitCode).toBe(1);
    expect(bad.json.error.code).toBe("NOT_FOUND");
  });
});

describe("net listen", () => {
  it("lists listeners with firewall exposure (declared and live) and container publishing", async () => {
    const root = makeRoot();
    const env = { NIXI_ROOT_EXEC: "1" };
    expect((await runBin(`fw open 8080 --yes --no-rebuild --root ${root}`, { env })).exitCode).toBe(0);
    const state = join(root, "etc/nixos/nixi/state.toml");
    const { readFileSync } = await import("node:fs");
    writeFileSync(state, readFileSync(state, "utf8") + `\n[containers.containers.cache]\nimage = "redis:7"\nports = ["6380:6379/tcp"]\n`);
    const r = await runBin(`net listen --tcp --json --root ${root}`, { ...inNs(), env });
    expect(r.exitCode, r.stderr).toBe(0);
    const env2 = expectEnvelope(r.json);
    expect(env2.warnings.join(" ")).toMatch(/network facts are the running host's/);
    const row = (port: number) => env2.data.listeners.find((l: any) => l.port === port);
    expect(row(5432)).toMatchObject({ proto: "tcp", address: ns.address, firewall: "closed", publishedBy: [], exposed: false });
    expect(row(8080)).toMatchObject({ address: "0.0.0.0", firewall: "open", openedBy: ["state"], exposed: true });
    expect(row(6379)).toMatchObject({ address: "127.0.0.1", firewall: "loopback", exposed: false });
    // a published port bypasses the firewall: exposed although the firewall does not open it
    expect(row(6380)).toMatchObject({ firewall: "closed", publishedBy: ["cache"], exposed: true });
    expect(row(8080).process).toBe("node");
    const exposed = await runBin(`net listen --exposed --json --root ${root}`, { ...inNs(), env });
    expect(exposed.json.data.listeners.map((l: any) => l.port).sort()).toEqual([6380, 8080]);
    const human = await runBin(`net listen --tcp --root ${root}`, { ...inNs(), env });
    expect(human.stdout).toMatch(/tcp\s+0\.0\.0\.0\s+6380\s+node\(\d+\)\s+closed\s+cache\s+yes/);
  });
});

describe("hostile input: a usage error naming the value, nothing run", () => {
  const cases: Array<[string, RegExp]> = [
    ["net ping -- -oProxyCommand=x", /invalid host "-oProxyCommand=x"/],
    ["net ping -- --help", /invalid host "--help"/],
    ["net ping 'a b'", /invalid host "a b"/],
    ["net ping '$(id)'", /invalid host "\$\(id\)"/],
    ["net ping 'db;reboot'", /invalid host "db;reboot"/],
    ["net ping 300.1.1.1", /invalid host "300.1.1.1"/],
    ["net ping ::1:::x", /invalid host/],
    ["net trace -- -g", /invalid host "-g"/],
    ["net resolve 'exa mple'", /invalid name "exa mple"/],
    ["net resolve -- -s", /invalid name "-s"/],
    ["net check db", /invalid target "db"/],
    ["net check db:0", /invalid target "db:0"/],
    ["net check db:70000", /invalid target "db:70000"/],
    ["net check ::1:22", /invalid target "::1:22"/],
    ["net check -- -x:22", /invalid target "-x:22"/],
    ["net ping 127.0.0.1 --count 0", /--count must be a whole number from 1 to 20/],
    ["net ping 127.0.0.1 --count 21", /--count must be/],
    ["net ping 127.0.0.1 --count abc", /--count needs a number, not "abc"/],
    ["net ping 127.0.0.1 --timeout 11", /--timeout must be a whole number from 1 to 10/],
    ["net check 127.0.0.1:22 --timeout 31", /--timeout must be a whole number from 1 to 30/],
    ["net trace 127.0.0.1 --max-hops 31", /--max-hops must be/],
  ];
  it.each(cases)("%s", async (cmd, re) => {
    const r = await runBin(`--json ${cmd}`);
    expect(r.exitCode).toBe(2);
    const env = expectEnvelope(r.json);
    expect(env.ok).toBe(false);
    expect(env.error.message).toMatch(re);
  });
});
