// 16 real nixi processes changing one root at once: the lock serialises them, none is lost.
import { afterAll, expect, it } from "vitest";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { makeRoot, cleanupRoots, read, NIXI_DIR } from "../helpers/tree.js";
import { evalModule } from "../helpers/nix.js";
import { existsSync } from "node:fs";

afterAll(cleanupRoots);

it("16 concurrent `fw open` processes all land in state.toml and firewall.nix", async () => {
  const root = makeRoot();
  const ports = Array.from({ length: 16 }, (_, i) => 10000 + i * 7);
  const results = await Promise.all(ports.map((p) => runBin(`fw open ${p} --yes --no-rebuild --json --root ${root}`, { timeoutMs: 120_000 })));
  for (const r of results) {
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.json).toMatchObject({ ok: true, changed: true });
  }
  const fw = (await evalModule(join(root, NIXI_DIR, "firewall.nix"))).networking.firewall;
  expect(fw.allowedTCPPorts).toEqual(ports);
  const state = read(root, `${NIXI_DIR}/state.toml`);
  for (const p of ports) expect(state).toContain(String(p));
  expect(existsSync(join(root, NIXI_DIR, ".lock"))).toBe(false);
}, 180_000);
