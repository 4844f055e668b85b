// A hand-edited state.toml is re-validated before rendering: values that NixOS writes unquoted into
// root scripts or unit files must not get through (exit non-zero, no file changed, no rebuild).
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));

function machine(stateToml: string) {
  const root = initialisedRoot("nixi-sec-");
  mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
  writeFileSync(join(root, "etc/nixos/nixi/state.toml"), stateToml);
  return { root, log: join(root, "fake.log") };
}

describe("hand-edited state.toml", () => {
  it.each([
    'eth0; touch /tmp/pwned #',
    'eth0 -j ACCEPT',
    'eth0\\nx',
    '',
    'a-very-long-interface-name',
  ])("firewall interface %j is refused before anything is rendered", async (iface) => {
    const { root, log } = machine(`[firewall]\ntcp = [22]\n\n[firewall.interfaces."${iface}"]\ntcp = [80]\n`);
    const before = readFileSync(join(root, "etc/nixos/nixi/state.toml"), "utf8");
    const r = await run(`fw open 8080 --yes --json --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_LOG: log } });
    expect(r.exitCode, r.stdout).not.toBe(0);
    expect(r.json.error.code).toBe("STATE_INVALID");
    expect(existsSync(join(root, "etc/nixos/nixi/firewall.nix"))).toBe(false);
    expect(readFileSync(join(root, "etc/nixos/nixi/state.toml"), "utf8")).toBe(before);
    expect(existsSync(log) ? readFileSync(log, "utf8") : "").not.toMatch(/nixos-rebuild/);
  });

  it("a valid hand-edited interface still renders", async () => {
    const { root, log } = machine(`[firewall.interfaces."wg0"]\ntcp = [80]\n`);
    const r = await run(`fw open 8080 --yes --json --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_LOG: log } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(root, "etc/nixos/nixi/firewall.nix"), "utf8")).toContain("wg0 =");
  });
});
