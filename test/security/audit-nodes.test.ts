// security audit over SSH: a loopback sshd node (managed) and a monitored node. The nodes are this
// machine, so the probes are the real sshd -T, nft, ss, /proc/sys...; on the monitored node every
// probe must pass the monitored executor's allow-list (none is refused) and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { treeHash } from "../helpers/tree.js";
import { cleanup, makeKey, startSshd, type Sshd } from "../helpers/sshd.js";

let work: string;
let home: string;
let mon: Sshd;
let web: Sshd;
let cfg: string;
let remoteRoot: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-audit-nodes-"));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  [mon, web] = await Promise.all([startSshd({ authorizedKeys: [key.publicKey] }), startSshd({ authorizedKeys: [key.publicKey] })]);
  remoteRoot = join(work, "remote");
  mkdirSync(join(remoteRoot, "etc/nixos/nixi"), { recursive: true });
  writeFileSync(join(remoteRoot, "etc/nixos/nixi/state.toml"), `version = 1\n[containers]\nbackend = "podman"\n[containers.containers.db]\nimage = "postgres:16"\nports = ["5432:5432/tcp"]\n`);
  cfg = join(work, "config.toml");
  writeFileSync(
    cfg,
    `[ssh]\nconnect_timeout = 5\n[nixos]\ndir = "${remoteRoot}/etc/nixos/nixi"\nconfiguration = "${remoteRoot}/etc/nixos/configuration.nix"\n` +
      `\n[[nodes]]\nname = "mon"\nhost = "127.0.0.1"\nport = ${mon.port}\nuser = "root"\nmode = "monitored"\n` +
      `\n[[nodes]]\nname = "web"\nhost = "127.0.0.1"\nport = ${web.port}\nuser = "root"\n`,
  );
}, 60_000);

afterAll(async () => {
  await cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("security audit on nodes", () => {
  it("runs on a monitored and a managed node over SSH with no refused probe and no change", async () => {
    const before = treeHash(remoteRoot);
    const r = await run(`security audit --node mon,web --json`, { env: { HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg } });
    expectEnvelope(r.json);
    expect(r.json.results.map((x: any) => x.node).sort()).toEqual(["mon", "web"]);
    for (const res of r.json.results) {
      expect(res.ok, JSON.stringify(res.error)).toBe(true);
      expect(res.changed).toBe(false);
      const checks = res.data.checks;
      expect(checks.length).toBeGreaterThanOrEqual(30);
      for (const c of checks) expect(c.evidence, `${res.node} ${c.id}`).not.toMatch(/monitored|refus/i);
      const by = Object.fromEntries(checks.map((c: any) => [c.id, c]));
      // the real programs answered
      expect(by["ssh-password-auth"].status).not.toBe("unknown");
      expect(by["sysctl-kptr-restrict"].status).not.toBe("unknown");
      expect(by["listeners-exposed"].status).not.toBe("unknown");
      // nixi's state on the node: the public postgres is a high failure
      expect(by["container-ports-public"].status).toBe("fail");
    }
    expect(r.exitCode).toBe(8);
    expect(treeHash(remoteRoot)).toBe(before);
  }, 60_000);

  it("security harden is refused on the monitored node (exit 4), nothing written", async () => {
    const before = treeHash(remoteRoot);
    const r = await run(`security harden --check sysctl-kptr-restrict --yes --no-rebuild --node mon --json`, { env: { HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg } });
    expect(r.exitCode).toBe(4);
    expect(treeHash(remoteRoot)).toBe(before);
  }, 60_000);
});
