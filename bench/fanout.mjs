#!/usr/bin/env node
// Fan-out cost of `nixi node list --json` over N loopback OpenSSH servers (default 32), measured in
// one run with the cases interleaved (machine load hits all alike), against the reference a fleet
// tool would use: N parallel OpenSSH `ssh` processes running the same probe (`nixos-version`), and
// against probing the nodes one after another. Then one dead node (a network namespace whose nft
// rule drops every packet) is added: it must cost no more than its connect timeout.
// Needs root (sshd, ip netns, nft) and `npm run build` first.
// Usage: node bench/fanout.mjs [--nodes 32] [--runs 5] [--timeout 3]
// Targets (issue 5): nixi <= 1.0x the parallel-ssh reference, >= 2x faster than sequential,
// dead node adds <= its timeout.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, chmodSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sshdConfigText } from "./sshd-config.mjs";
import { removeStaleNamespaces } from "./netns.mjs";

const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg("--nodes", 32);
const RUNS = arg("--runs", 5);
const TIMEOUT = arg("--timeout", 3);
const bin = fileURLToPath(new URL("../bin/nixi", import.meta.url));
const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), "nixi-fanout-"));
chmodSync(dir, 0o755);
const pids = [];
const T0 = Date.now();
const stage = (m) => process.stderr.write(`[${((Date.now() - T0) / 1000).toFixed(1)} s] ${m}\n`);
const NS = `nixi-bench-${process.pid}`;
const VETH = `nxb${process.pid % 100000}`;
const SUBNET = "10.213.79"; // private to this bench

function cleanupAll() {
  for (const p of pids) {
    try {
      process.kill(p, "SIGKILL");
    } catch {}
  }
  spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanupAll);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => process.exit(130));
// a namespace left by an earlier run that was killed would shadow our subnet
removeStaleNamespaces("nixi-bench-");

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
async function waitPort(host, port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = connect({ host, port });
      s.once("connect", () => (s.destroy(), r(true)));
      s.once("error", () => r(false));
      s.setTimeout(500, () => (s.destroy(), r(false)));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd ${host}:${port} did not start`);
}

// --- nodes -------------------------------------------------------------------------------------
mkdirSync("/run/sshd", { recursive: true });
const key = join(dir, "id_ed25519");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
const pub = readFileSync(key + ".pub", "utf8");
const fakeBin = join(dir, "bin");
mkdirSync(fakeBin);
writeFileSync(join(fakeBin, "nixos-version"), '#!/bin/sh\necho "25.05.20250612.0000000 (Warbler)"\n', { mode: 0o755 });
writeFileSync(join(dir, "authorized_keys"), pub, { mode: 0o600 });

function sshdConfig(i, listen) {
  const d = join(dir, `n${i}`);
  mkdirSync(d);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(d, "host_key")]);
  const cfg = join(d, "sshd_config");
  // a HOME of its own: root's ~/.bashrc on this machine is not part of what we measure
  writeFileSync(
    cfg,
    sshdConfigText({ listen, hostKey: join(d, "host_key"), pidFile: join(d, "pid"), authorizedKeys: join(dir, "authorized_keys"), path: `${fakeBin}:/usr/bin:/bin`, home: d, extra: ["MaxStartups 200"] }),
  );
  return { cfg, log: join(d, "log") };
}

const nodes = [];
for (let i = 0; i < N; i++) {
  const port = await freePort();
  const { cfg, log } = sshdConfig(i, `127.0.0.1:${port}`);
  const c = spawn("/usr/sbin/sshd", ["-D", "-f", cfg, "-E", log], { stdio: "ignore" });
  pids.push(c.pid);
  nodes.push({ name: `n${String(i).padStart(2, "0")}`, port });
}
await Promise.all(nodes.map((n) => waitPort("127.0.0.1", n.port)));
stage(`${N} sshd up`);

// the dead node: sshd runs in a namespace, but every packet to it is dropped
execFileSync("ip", ["netns", "add", NS]);
execFileSync("ip", ["link", "add", VETH, "type", "veth", "peer", "name", "eth0", "netns", NS]);
execFileSync("ip", ["addr", "add", `${SUBNET}.1/24`, "dev", VETH]);
execFileSync("ip", ["link", "set", VETH, "up"]);
execFileSync("ip", ["netns", "exec", NS, "ip", "addr", "add", `${SUBNET}.2/24`, "dev", "eth0"]);
execFileSync("ip", ["netns", "exec", NS, "ip", "link", "set", "eth0", "up"]);
execFileSync("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"]);
{
  const { cfg, log } = sshdConfig("dead", `${SUBNET}.2:22`);
  const c = spawn("ip", ["netns", "exec", NS, "/usr/sbin/sshd", "-D", "-f", cfg, "-E", log], { stdio: "ignore" });
  pids.push(c.pid);
  await waitPort(`${SUBNET}.2`, 22);
  execFileSync("ip", ["netns", "exec", NS, "nft", "-f", "-"], { input: "table inet bench {\n chain in {\n  type filter hook input priority 0; policy drop;\n }\n}\n" });
}

stage("dead node ready");
const kh = join(dir, "known_hosts");
const nodeToml = (n, host = "127.0.0.1") => `[[nodes]]\nname = "${n.name}"\nhost = "${host}"\nport = ${n.port}\nuser = "root"\n`;
const header = `[ssh]\nconnect_timeout = ${TIMEOUT}\nknown_hosts = "${kh}"\nidentity = "${key}"\n`;
const cfgLive = join(dir, "config.toml");
writeFileSync(cfgLive, header + nodes.map((n) => "\n" + nodeToml(n)).join(""));
const cfgDead = join(dir, "config-dead.toml");
writeFileSync(cfgDead, readFileSync(cfgLive, "utf8") + "\n" + nodeToml({ name: "dead", port: 22 }, `${SUBNET}.2`));

const env = { ...process.env, HOME: dir, NO_COLOR: "1", SSH_AUTH_SOCK: "" };
delete env.SSH_AUTH_SOCK;

// --- cases -------------------------------------------------------------------------------------
function nixiList(cfg, parallel) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, [bin, "node", "list", "--json", "--parallel", String(parallel)], { env: { ...env, NIXI_CONFIG: cfg }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`nixi node list exited ${r.status}: ${r.stderr}`);
  const rows = JSON.parse(r.stdout).data;
  return { ms, rows };
}
const sshArgs = (n) => ["-F", "/dev/null", "-i", key, "-p", String(n.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${kh}`, "-o", "ConnectTimeout=" + TIMEOUT, "root@127.0.0.1", "nixos-version"];
const sshOnce = (n) =>
  new Promise((resolve, reject) => {
    const c = spawn("ssh", sshArgs(n), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.on("close", (code) => (code === 0 && out.startsWith("25.05") ? resolve() : reject(new Error(`ssh to ${n.port} exited ${code}`))));
  });
async function sshParallel() {
  const t0 = process.hrtime.bigint();
  await Promise.all(nodes.map(sshOnce));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
async function sshSequential() {
  const t0 = process.hrtime.bigint();
  for (const n of nodes) await sshOnce(n);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// warm-up: nixi records the host keys (accept-new) in the known_hosts file the ssh reference then uses
const warm = nixiList(cfgLive, N);
const online = warm.rows.filter((r) => r.status === "online").length;
if (online !== N + 1) throw new Error(`warm-up: ${online - 1} of ${N} nodes online: ${JSON.stringify(warm.rows.filter((r) => r.status !== "online"))}`);
await sshParallel();
stage("warm-up done");

const cases = {
  [`nixi node list --json --parallel ${N}`]: [],
  "nixi node list --json (default --parallel 10)": [],
  [`${N} parallel ssh (reference)`]: [],
  [`${N} sequential ssh`]: [],
  [`nixi node list --json --parallel ${N + 1}, + 1 dead node`]: [],
};
const keys = Object.keys(cases);
for (let i = 0; i < RUNS; i++) {
  cases[keys[0]].push(nixiList(cfgLive, N).ms);
  cases[keys[1]].push(nixiList(cfgLive, 10).ms);
  cases[keys[2]].push(await sshParallel());
  cases[keys[3]].push(await sshSequential());
  const d = nixiList(cfgDead, N + 1);
  const dead = d.rows.find((r) => r.name === "dead");
  if (dead.status !== "unreachable") throw new Error(`dead node reported ${dead.status}`);
  if (d.rows.filter((r) => r.status === "online").length !== N + 1) throw new Error("a live node was not online in the dead-node run");
  cases[keys[4]].push(d.ms);
  stage(`round ${i + 1} of ${RUNS}`);
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const m = Object.fromEntries(keys.map((k) => [k, median(cases[k])]));
const ref = m[keys[2]];
console.log(`fan-out over ${N} loopback sshd nodes, ${RUNS} interleaved runs each, medians (nproc=${(await import("node:os")).cpus().length}):`);
for (const k of keys) console.log(`  ${k.padEnd(58)} ${(m[k] / 1000).toFixed(2).padStart(6)} s   ${(m[k] / ref).toFixed(2)}x reference`);
const nixi = m[keys[0]];
const deadExtra = m[keys[4]] - nixi;
const checks = [
  [`nixi <= 1.0x the parallel-ssh reference`, nixi <= ref, `${(nixi / ref).toFixed(2)}x`],
  [`nixi >= 2x faster than sequential`, m[keys[3]] / nixi >= 2, `${(m[keys[3]] / nixi).toFixed(2)}x faster`],
  [`dead node adds <= its ${TIMEOUT} s timeout`, deadExtra <= TIMEOUT * 1000, `+${(deadExtra / 1000).toFixed(2)} s`],
];
for (const [what, ok, fig] of checks) console.log(`  ${ok ? "PASS" : "FAIL"} ${what}: ${fig}`);
console.log(JSON.stringify({ nodes: N, runs: RUNS, timeoutSeconds: TIMEOUT, medianMs: m, deadExtraMs: Math.round(deadExtra) }));
// the sshd children would keep this process alive: stop them and leave
process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
