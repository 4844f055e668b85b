// fw open/close/list through the CLI; generated firewall.nix evaluated by nix-instantiate
// and its option paths checked against ../shared/nixos.
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { checkNixFolder, evalModule } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";

afterAll(cleanupRoots);
const stage = (root: string, cmd: string) => run(`${cmd} --yes --no-rebuild --json --root ${root}`);

async function firewallConfig(root: string) {
  const dir = join(root, NIXI_DIR);
  const { merged } = await checkNixFolder(dir);
  expect(checkOptionPaths(merged)).toEqual([]);
  return (await evalModule(join(dir, "firewall.nix"))).networking.firewall;
}

describe("fw open / close", () => {
  it("opens TCP, UDP and ranges, globally and per interface", async () => {
    const root = makeRoot();
    const r = await stage(root, "fw open 8080 53/udp 60000-61000/udp 443/tcp");
    expect(r.exitCode).toBe(0);
    expect(expectEnvelope(r.json).data.opened).toHaveLength(4);
    expect((await stage(root, "fw open 9100 --interface eth0")).exitCode).toBe(0);
    expect(await firewallConfig(root)).toEqual({
      allowedTCPPorts: [443, 8080],
      allowedUDPPorts: [53],
      allowedUDPPortRanges: [{ from: 60000, to: 61000 }],
      interfaces: { eth0: { allowedTCPPorts: [9100] } },
    });
  });

  it("opening an open port is success with changed:false and no rebuild", async () => {
    const root = makeRoot();
    await stage(root, "fw open 8080 60000-61000/udp");
    const before = treeHash(root);
    // no fake nixos-rebuild on PATH: a rebuild attempt would fail with exit 6
    for (const cmd of ["fw open 8080 --yes --json", "fw open 60500/udp --yes --json", "fw open 8080/tcp 60000-60010/udp --yes --json"]) {
      const r = await run(`${cmd} --root ${root}`);
      expect(r.exitCode, cmd).toBe(0);
      expect(expectEnvelope(r.json)).toMatchObject({ ok: true, changed: false });
      expect(r.json.plan.rebuild).toBe(false);
    }
    expect(treeHash(root)).toBe(before);
    const human = await run(`fw open 8080 --yes --root ${root}`);
    expect(human.stdout).toContain("nothing to change");
  });

  it("closing splits a range around the closed port, and closing everything removes firewall.nix", async () => {
    const root = makeRoot();
    await stage(root, "fw open 8000-8010 22 --insecure");
    const r = await stage(root, "fw close 8005");
    expect(r.exitCode).toBe(0);
    expect(r.json.data.closed).toEqual([{ proto: "tcp", from: 8005, to: 8005 }]);
    expect((await firewallConfig(root)).allowedTCPPortRanges).toEqual([{ from: 8000, to: 8004 }, { from: 8006, to: 8010 }]);
    await stage(root, "fw close 8000-8010 22");
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(root, NIXI_DIR, "firewall.nix"))).toBe(false);
    expect(read(root, `${NIXI_DIR}/default.nix`)).not.toContain("firewall.nix");
    expect(read(root, `${NIXI_DIR}/state.toml`)).not.toContain("[firewall]");
  });

  it("closing a port nixi did not open warns and changes nothing", async () => {
    const root = makeRoot();
    await stage(root, "fw open 80");
    const before = treeHash(root);
    const r = await run(`fw close 81 --yes --json --root ${root}`);
    expect(r.exitCode).toBe(0);
    expect(expectEnvelope(r.json)).toMatchObject({ changed: false });
    expect(r.json.warnings[0]).toContain("81/tcp");
    expect(treeHash(root)).toBe(before);
  });

  const BAD: Array<[string, string]> = [
    ["0", '"0"'],
    ["65536", '"65536"'],
    ["abc", '"abc"'],
    ["80;rm -rf /", '"80;rm -rf /"'],
    ["200-100", "reversed"],
    ["80/sctp", '"80/sctp"'],
    ["-1", "-1"],
    ["8080/tcp/udp", '"8080/tcp/udp"'],
    ["$(reboot)", '"$(reboot)"'],
    ["1e3", '"1e3"'],
    ["", '""'],
  ];
  for (const [bad, named] of BAD) {
    it(`rejects port ${JSON.stringify(bad)} with exit 2, naming it, changing nothing`, async () => {
      const root = makeRoot();
      await stage(root, "fw open 22 --insecure");
      const before = treeHash(root);
      for (const verb of ["open", "close"]) {
        const r = await run(["fw", verb, "443", bad, "--yes", "--no-rebuild", "--root", root]);
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toContain(named);
        const j = await run(["fw", verb, bad, "--yes", "--json", "--root", root]);
        expect(j.exitCode).toBe(2);
        expect(expectEnvelope(j.json).ok).toBe(false);
      }
      expect(treeHash(root)).toBe(before);
    });
  }

  it("rejects a bad interface name", async () => {
    const root = makeRoot();
    const r = await run(["fw", "open", "80", "--interface", 'eth0"; reboot', "--yes", "--root", root]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('eth0"; reboot');
  });

  it("global flags work before or after the command path", async () => {
    const root = makeRoot();
    await stage(root, "fw open 80");
    const a = await run(`--json --root ${root} fw list`);
    const b = await run(`fw list --json --root ${root}`);
    const c = await run(`fw --json list --root=${root}`);
    for (const r of [a, b, c]) {
      expect(r.exitCode).toBe(0);
      expect(expectEnvelope(r.json).data.declared).toEqual([{ proto: "tcp", from: 80, to: 80, interface: null }]);
    }
    // a flag that does not apply is ignored
    expect((await run(`fw list --no-rebuild --yes --root ${root}`)).exitCode).toBe(0);
  });

  it("unknown commands and flags: exit 2 with a suggestion", async () => {
    const r = await run("fw opne 80");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Did you mean open\?/i);
    const f = await run("fw open 80 --interfce eth0");
    expect(f.exitCode).toBe(2);
    expect(f.stderr).toMatch(/--interface/);
    const j = await run("fw list --jsn --json");
    expect(expectEnvelope(j.json).error.code).toBe("UNKNOWN_FLAG");
  });
});

describe("fw list", () => {
  it("lists declared ports in human form", async () => {
    const root = makeRoot();
    await stage(root, "fw open 22 8000-8100 53/udp --insecure");
    await stage(root, "fw open 9100 --interface eth1");
    const r = await run(`fw list --root ${root}`, { env: { PATH: "/nonexistent" } });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PORT\s+PROTO\s+INTERFACE\s+DECLARED\s+LIVE/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(" "))).toEqual(["22 tcp all yes", "53 udp all yes", "8000-8100 tcp all yes", "9100 tcp eth1 yes"]);
    expect(r.stderr).toContain("neither nft nor iptables");
  });
});
