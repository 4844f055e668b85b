#!/usr/bin/env node
// Start-up cost of nixi as ratios against bare `node -e 0`, measured in one run with the
// commands interleaved (so machine load hits all of them alike). Needs `npm run build` first.
// Usage: node bench/startup.mjs [--runs N] [--host-rules]
// Targets (issue 12): --version <= 1.2x, --help <= 1.3x, --root R fw list --json <= 1.5x,
// a change `fw open P --yes --no-rebuild` <= 1.8x (each run opens a port not open yet, so it writes).
//
// `fw list` reads the live rules with `nft -j list ruleset`, whose cost depends on the ruleset
// (4 ms for a NixOS firewall, 2 ms for none, more where containers left theirs). As root, the
// bench runs in a network namespace of its own holding NixOS's default firewall (the iptables
// rules of networking.firewall, through iptables-nft), so runs compare; --host-rules reads the
// host's own instead.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { removeStaleNamespaces } from "./netns.mjs";

// networking.firewall's rules with allowedTCPPorts 22 80 443 and a UDP range (nixos/modules/
// services/networking/firewall-iptables.nix: nixos-fw, -accept, -log-refuse, -refuse).
const NIXOS_FIREWALL = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:nixos-fw - [0:0]
:nixos-fw-accept - [0:0]
:nixos-fw-log-refuse - [0:0]
:nixos-fw-refuse - [0:0]
-A INPUT -j nixos-fw
-A nixos-fw -i lo -j nixos-fw-accept
-A nixos-fw -m conntrack --ctstate RELATED,ESTABLISHED -j nixos-fw-accept
-A nixos-fw -p tcp -m tcp --dport 22 -j nixos-fw-accept
-A nixos-fw -p tcp -m tcp --dport 80 -j nixos-fw-accept
-A nixos-fw -p tcp -m tcp --dport 443 -j nixos-fw-accept
-A nixos-fw -p udp -m udp --dport 60000:61000 -j nixos-fw-accept
-A nixos-fw -p icmp -m icmp --icmp-type 8 -j nixos-fw-accept
-A nixos-fw -j nixos-fw-log-refuse
-A nixos-fw-accept -j ACCEPT
-A nixos-fw-log-refuse -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j LOG --log-prefix "refused connection: " --log-level 6
-A nixos-fw-log-refuse -m pkttype ! --pkt-type unicast -j nixos-fw-refuse
-A nixos-fw-log-refuse -j nixos-fw-refuse
-A nixos-fw-refuse -j DROP
COMMIT
`;
const IN_NS = "--in-netns";
const have = (p) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", p], { stdio: "ignore" }).status === 0;
if (!process.argv.includes(IN_NS) && !process.argv.includes("--host-rules") && process.getuid?.() === 0 && have("ip") && have("iptables-restore")) {
  removeStaleNamespaces("nixi-bench-startup-");
  const ns = `nixi-bench-startup-${process.pid}`;
  execFileSync("ip", ["netns", "add", ns]);
  const root = mkdtempSync(join(tmpdir(), "nixi-bench-"));
  const removeNs = () => {
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    rmSync(root, { recursive: true, force: true });
  };
  try {
    execFileSync("ip", ["netns", "exec", ns, "iptables-restore"], { input: NIXOS_FIREWALL });
  } catch (e) {
    removeNs();
    throw e;
  }
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2), IN_NS], { stdio: "inherit", env: { ...process.env, NIXI_BENCH_ROOT: root } });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("close", (code) => {
    removeNs();
    process.exitCode = code ?? 1;
  });
} else {
  bench(process.argv.includes(IN_NS) ? "NixOS's default firewall, in a network namespace of the bench's own" : "this host's");
}

function bench(rules) {
  const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 40;
  const bin = fileURLToPath(new URL("../bin/nixi", import.meta.url));
  // in the namespace, the parent made the root and removes it (also when the run is interrupted)
  const root = process.env.NIXI_BENCH_ROOT || mkdtempSync(join(tmpdir(), "nixi-bench-"));
  // NIXI_ROOT_EXEC=1: fw list reads the live rules (nft) as it does on a real machine, not only R's state
  const env = { ...process.env, NIXI_CONFIG: "/nonexistent/config.toml", NO_COLOR: "1", NIXI_ROOT_EXEC: "1" };
  const node = process.execPath;

  // A root with some declared ports, like a real machine.
  spawnSync(node, [bin, "fw", "open", "22", "80", "443", "60000-61000/udp", "--yes", "--no-rebuild", "--insecure", "--root", root], { env });

  const cases = [
    { name: "node -e 0", argv: () => ["-e", "0"] },
    { name: "nixi --version", argv: () => [bin, "--version"], target: 1.2 },
    { name: "nixi --help", argv: () => [bin, "--help"], target: 1.3 },
    { name: "nixi --root R fw list --json", argv: () => [bin, "--root", root, "fw", "list", "--json"], target: 1.5 },
    { name: "nixi --root R fw open P --yes --no-rebuild", argv: (i) => [bin, "--root", root, "fw", "open", String(10000 + i), "--yes", "--no-rebuild"], target: 1.8 },
  ];

  const times = cases.map(() => []);
  for (let i = 0; i < runs + 3; i++) {
    cases.forEach((c, k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(node, c.argv(i), { env, stdio: ["ignore", "ignore", "pipe"] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
      if (i >= 3) times[k].push(ms); // 3 warm-up rounds
    });
  }
  if (!process.env.NIXI_BENCH_ROOT) rmSync(root, { recursive: true, force: true });

  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const base = median(times[0]);
  let ok = true;
  // Two ratios: the medians' ratio, and the median of each round's own ratio (the command over the
  // `node -e 0` run just before it), which the machine's drift during a run does not move.
  console.log(`runs: ${runs} each, interleaved; median wall time; node ${process.version}; live rules: ${rules}`);
  console.log("command".padEnd(44) + "median ms".padStart(10) + "ratio".padStart(8) + "paired".padStart(8) + "target".padStart(8));
  cases.forEach((c, k) => {
    const m = median(times[k]);
    const ratio = m / base;
    const paired = median(times[k].map((t, i) => t / times[0][i]));
    const pass = c.target === undefined || (ratio <= c.target && paired <= c.target);
    ok &&= pass;
    console.log(c.name.padEnd(44) + m.toFixed(1).padStart(10) + `${ratio.toFixed(2)}x`.padStart(8) + `${paired.toFixed(2)}x`.padStart(8) + (c.target ? `${c.target}x ${pass ? "ok" : "MISSED"}` : "").padStart(8 + 4));
  });
  process.exitCode = ok ? 0 : 1;
}
