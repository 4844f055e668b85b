// Rolling changes (issue 11): 5 nodes, each a real sshd in its own network namespace; node 2's
// rebuild fails. With the defaults (--rolling 1, --max-fail 1) node 1 is changed, node 2 failed
// (restored), nodes 3-5 not touched: no SSH session was ever opened to them. Exit 7, per-node
// outcomes in --json. With --max-fail 2 --rolling 2 the rollout goes on past node 2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { cleanup, makeKey, makeNetns, startSshd, type Netns, type Sshd } from "../helpers/sshd.js";

let work: string;
let home: string;
let cfg: string;
const nodes: Array<{ ns: Netns; sshd: Sshd; tree: string }> = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-rolling-"));
  chmodSync(work, 0o755);
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  for (let i = 1; i <= 5; i++) {
    const ns = makeNetns(`roll${i}`, 150 + i);
    const sshd = await startSshd({ host: ns.address, netns: ns.name, authorizedKeys: [key.publicKey] });
    const tree = join(work, `node${i}`);
    mkdirSync(join(tree, "etc/nixos"), { recursive: true });
    writeFileSync(join(tree, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
    // each node has its own /etc/nixos: a bind mount inside the mount namespace that `ip netns exec`
    // gave this sshd (made a slave of /, so nothing propagates back to this machine)
    mkdirSync(join(work, "shared/etc/nixos"), { recursive: true });
    execFileSync("nsenter", ["-t", String(sshd.pid), "-m", "mount", "--bind", join(tree, "etc/nixos"), join(work, "shared/etc/nixos")]);
    // every node's own rebuild: logs that it ran; node 2's fails
    writeFileSync(
      join(sshd.bin, "nixos-rebuild"),
      `#!/bin/sh\n[ "$1" = switch ] || { echo "FAKE nixos-rebuild: unsupported: $*" >&2; exit 99; }\necho "node${i} $*" >> '${join(tree, "rebuilds.log")}'\n` +
        (i === 2 ? `echo "error: builder for '/nix/store/x-nixos-system.drv' failed" >&2\nexit 1\n` : "exit 0\n"),
      { mode: 0o755 },
    );
    nodes.push({ ns, sshd, tree });
  }
  cfg = join(work, "config.toml");
});

afterAll(async () => {
  await cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

// One [nixos] dir path for all nodes; each node's sshd sees its own tree there (bind mount above).
function writeConfig(): void {
  const shared = join(work, "shared");
  writeFileSync(
    cfg,
    `[ssh]\nconnect_timeout = 3\nknown_hosts = "${join(work, "known_hosts")}"\n[nixos]\ndir = "${shared}/etc/nixos/nixi"\nconfiguration = "${shared}/etc/nixos/configuration.nix"\n` +
      nodes.map((n, i) => `\n[[nodes]]\nname = "n${i + 1}"\nhost = "${n.ns.address}"\nport = 22\nuser = "root"\ntags = ["web"]\n`).join(""),
  );
}

const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg });
const rebuilds = (i: number) => {
  try {
    return readFileSync(join(nodes[i - 1].tree, "rebuilds.log"), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};
const sessions = (i: number) => (readFileSync(join(nodes[i - 1].sshd.dir, "sshd.log"), "utf8").match(/Accepted publickey/g) ?? []).length;

describe("a change on several nodes rolls out and stops on failure", () => {
  it("defaults (--rolling 1 --max-fail 1): n1 changed, n2 failed, n3-n5 not touched; exit 7", async () => {
    writeConfig();
    const before = [1, 2, 3, 4, 5].map(sessions);
    const r = await run("--tag web fw open 8080 --yes --json --no-safe-apply", { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(7);
    const e = expectEnvelope(r.json);
    expect(e.results.map((x: any) => [x.node, x.outcome])).toEqual([
      ["n1", "changed"],
      ["n2", "failed"],
      ["n3", "not touched"],
      ["n4", "not touched"],
      ["n5", "not touched"],
    ]);
    expect(e.results[1].error.code).toBe("REBUILD_FAILED");
    expect(e.results[2].error).toMatchObject({ code: "NOT_TOUCHED" });
    expect(e.results[2].error.message).toMatch(/rollout stopped after 1 failed node \(--max-fail 1\)/);
    expect(rebuilds(1)).toEqual(["node1 switch"]);
    expect(rebuilds(2)).toEqual(["node2 switch"]);
    const state = (i: number) => join(nodes[i - 1].tree, "etc/nixos/nixi/state.toml");
    expect(readFileSync(state(1), "utf8")).toMatch(/8080/);
    expect(existsSync(state(2))).toBe(false); // the failed node's files restored (it had none)
    for (const i of [3, 4, 5]) {
      expect(existsSync(state(i))).toBe(false);
      expect(rebuilds(i)).toEqual([]);
      expect(sessions(i) - before[i - 1]).toBe(0); // not even a login
    }
  }, 60_000);

  it("--rolling 2 --max-fail 2: the wave with n2 finishes, the rollout goes on past it", async () => {
    writeConfig();
    for (const n of nodes) rmSync(join(n.tree, "rebuilds.log"), { force: true });
    const r = await run("--tag web fw open 8081 --yes --json --no-safe-apply --rolling 2 --max-fail 2", { env: env() });
    expect(r.exitCode).toBe(7);
    expect(r.json.results.map((x: any) => x.outcome)).toEqual(["changed", "failed", "changed", "changed", "changed"]);
    for (const i of [1, 3, 4, 5]) expect(rebuilds(i)).toEqual(["node" + i + " switch"]);
    const bad = await run("--tag web fw open 8082 --yes --rolling 0", { env: env() });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--rolling must be a whole number from 1 to 256, not "0"/);
  }, 60_000);
});
