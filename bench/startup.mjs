#!/usr/bin/env node
// Start-up cost of nixi as ratios against bare `node -e 0`, measured in one run with the
// commands interleaved (so machine load hits all of them alike). Needs `npm run build` first.
// Usage: node bench/startup.mjs [--runs N]
// Targets (issue 12): --version <= 1.2x, --help <= 1.3x, --root R fw list --json <= 1.5x,
// a change `fw open P --yes --no-rebuild` <= 1.8x (each run opens a port not open yet, so it writes).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 40;
const bin = fileURLToPath(new URL("../bin/nixi", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "nixi-bench-"));
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
rmSync(root, { recursive: true, force: true });

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times[0]);
let ok = true;
console.log(`runs: ${runs} each, interleaved; median wall time; node ${process.version}`);
console.log("command".padEnd(44) + "median ms".padStart(10) + "ratio".padStart(8) + "target".padStart(8));
cases.forEach((c, k) => {
  const m = median(times[k]);
  const ratio = m / base;
  const pass = c.target === undefined || ratio <= c.target;
  ok &&= pass;
  console.log(c.name.padEnd(44) + m.toFixed(1).padStart(10) + `${ratio.toFixed(2)}x`.padStart(8) + (c.target ? `${c.target}x ${pass ? "ok" : "MISSED"}` : "").padStart(8 + 4));
});
process.exitCode = ok ? 0 : 1;
