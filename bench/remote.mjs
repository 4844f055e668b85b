#!/usr/bin/env node
// Cost of a remote change (issue 11): `nixi --node web fw open PORT --yes` against one loopback
// OpenSSH server, with --no-rebuild and with a fake nixos-rebuild, as ratios to one `ssh web true`
// measured in the same run with the cases interleaved (machine load hits all alike). Prints the exec
// calls per change, counted by sshd itself (LogLevel VERBOSE logs one "Starting session" per exec).
// Needs root (sshd) and `npm run build` first.
// Usage: node bench/remote.mjs [--runs 10]
// Targets: --no-rebuild <= 2.0x, fake rebuild <= 2.5x, <= 4 exec calls plus the rebuild.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, chmodSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sshdConfigText } from "./sshd-config.mjs";

const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const RUNS = arg("--runs", 10);
const bin = fileURLToPath(new URL("../bin/nixi", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "nixi-bench-remote-"));
chmodSync(dir, 0o755);
let sshdPid;
process.on("exit", () => {
  if (sshdPid) {
    try {
      process.kill(sshdPid, "SIGKILL");
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => process.exit(130));

const port = await new Promise((resolve, reject) => {
  const s = createServer();
  s.once("error", reject);
  s.listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
mkdirSync("/run/sshd", { recursive: true });
const key = join(dir, "id_ed25519");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
writeFileSync(join(dir, "authorized_keys"), readFileSync(key + ".pub"), { mode: 0o600 });
const fakeBin = join(dir, "bin");
mkdirSync(fakeBin);
// the fake rebuild does what a no-op switch prints, and nothing else
writeFileSync(join(fakeBin, "nixos-rebuild"), '#!/bin/sh\necho "building the system configuration..." >&2\necho "activating the configuration..." >&2\n', { mode: 0o755 });
const tree = join(dir, "remote");
mkdirSync(join(tree, "etc/nixos"), { recursive: true });
writeFileSync(join(tree, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
const log = join(dir, "sshd.log");
writeFileSync(
  join(dir, "sshd_config"),
  sshdConfigText({ listen: `127.0.0.1:${port}`, hostKey: join(dir, "host_key"), pidFile: join(dir, "pid"), authorizedKeys: join(dir, "authorized_keys"), path: `${fakeBin}:/usr/bin:/bin`, home: dir, extra: ["LogLevel VERBOSE"] }),
);
const sshd = spawn("/usr/sbin/sshd", ["-D", "-f", join(dir, "sshd_config"), "-E", log], { stdio: "ignore" });
sshdPid = sshd.pid;
for (let i = 0; i < 200; i++) {
  const ok = await new Promise((r) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), r(true)));
    s.once("error", () => r(false));
  });
  if (ok) break;
  await new Promise((r) => setTimeout(r, 25));
}

const kh = join(dir, "known_hosts");
const cfg = join(dir, "config.toml");
writeFileSync(
  cfg,
  `[ssh]\nknown_hosts = "${kh}"\nidentity = "${key}"\n[nixos]\ndir = "${tree}/etc/nixos/nixi"\nconfiguration = "${tree}/etc/nixos/configuration.nix"\n` +
    `\n[[nodes]]\nname = "web"\nhost = "127.0.0.1"\nport = ${port}\nuser = "root"\n`,
);
const env = { ...process.env, HOME: dir, NO_COLOR: "1", NIXI_CONFIG: cfg };
delete env.SSH_AUTH_SOCK;

const sessions = () => (readFileSync(log, "utf8").match(/Starting session: command/g) ?? []).length;
const time = (argv, opts = {}) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: "utf8", ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
};
let portNo = 20000;
const nixi = (extra) => [process.execPath, bin, "--node", "web", "fw", "open", String(portNo++), "--yes", ...extra];
const ssh = ["ssh", "-F", "/dev/null", "-i", key, "-p", String(port), "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${kh}`, "-o", "StrictHostKeyChecking=yes", "root@127.0.0.1", "true"];

// warm-up: nixi records the host key, which ssh then uses
time(nixi(["--no-rebuild"]));
time(ssh);

const VARIANTS = [
  ["nixi fw open --no-rebuild", ["--no-rebuild"]],
  ["nixi fw open (fake rebuild)", ["--no-safe-apply"]],
  ["  same with safe apply (default)", []],
];
const cases = { "ssh web true": [], ...Object.fromEntries(VARIANTS.map(([n]) => [n, []])) };
const calls = Object.fromEntries(VARIANTS.map(([n]) => [n, []]));
for (let i = 0; i < RUNS; i++) {
  cases["ssh web true"].push(time(ssh));
  for (const [name, extra] of VARIANTS) {
    const before = sessions();
    cases[name].push(time(nixi(extra)));
    calls[name].push(sessions() - before);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ref = median(cases["ssh web true"]);
console.log(`runs: ${RUNS} (medians, interleaved)`);
for (const [name, ms] of Object.entries(cases)) {
  const ratio = median(ms) / ref;
  const c = calls[name] ? `, exec calls per change: ${[...new Set(calls[name])].join("/")}` : "";
  console.log(`${name.padEnd(30)} ${median(ms).toFixed(0).padStart(6)} ms  ${ratio.toFixed(2)}x${c}`);
}
const nr = median(cases["nixi fw open --no-rebuild"]) / ref;
const rb = median(cases["nixi fw open (fake rebuild)"]) / ref;
console.log("safe apply adds a second SSH login (the confirmation must come over a new connection) and its own calls: no target for it in issue 11");
console.log(`targets: --no-rebuild <= 2.0x: ${nr <= 2 ? "met" : "MISSED"}; fake rebuild <= 2.5x: ${rb <= 2.5 ? "met" : "MISSED"}`);
// the sshd child keeps the event loop alive: leave now (the exit handler stops it and cleans up)
process.exit(nr <= 2 && rb <= 2.5 ? 0 : 1);
