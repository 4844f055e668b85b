// The insecure-request gate: every listed insecure request is refused without --insecure (exit 4,
// tree unchanged, the alternative printed) and accepted with it; relaxations that are not findings pass.
import { afterAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
afterAll(cleanupRoots);

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nbob:x:1000:100::/home/bob:/bin/sh\n";
const fresh = () => makeRoot({ "etc/passwd": PASSWD, "srv/.keep": "" });

// [command line, finding id]
const INSECURE: Array<[string, string]> = [
  ["config set networking.firewall.enable false", "firewall-disabled"],
  ["config set services.openssh.settings.PasswordAuthentication true", "ssh-password-auth"],
  ["config set services.openssh.settings.KbdInteractiveAuthentication true", "ssh-password-auth"],
  ["config set services.openssh.settings.PermitRootLogin yes", "ssh-root-password-login"],
  ["fw open 22", "ssh-open-password-login"],
  ["config set services.openssh.enable true", "ssh-open-password-login"],
  ["container deploy db --image postgres:16 --port 5432:5432 --public", "container-risky-port-public"],
  ["container deploy cache --image docker.io/library/redis:7 --port 16379:6379 --public", "container-risky-port-public"],
  ["container deploy mq --image rabbitmq:3 --port 8081:8080 --public", "container-risky-port-public"],
  ["container deploy api --image busybox:1 --port 2375:2375 --public", "container-risky-port-public"],
  ["container deploy kv --image hashicorp/app:1 --port 0.0.0.0:8500:8500", "container-risky-port-public"],
  [`config set virtualisation.oci-containers.containers.x.extraOptions '["--privileged"]'`, "container-host-access"],
  [`config set virtualisation.oci-containers.containers.x.extraOptions '["--network=host"]'`, "container-host-access"],
  [`config set virtualisation.oci-containers.containers.x.volumes '["/var/run/docker.sock:/var/run/docker.sock"]'`, "container-host-access"],
  [`config set virtualisation.oci-containers.containers.x.volumes '["/:/host"]'`, "container-host-access"],
  ["user add carol --groups wheel", "wheel-user-without-key"],
  [`config set security.sudo.extraConfig '"carol ALL=(ALL) ALL"'`, "sudo-grants-all"],
  // (a list of submodules nixi cannot type-check offline: --force writes it unverified)
  [`config set security.sudo.extraRules '[{"users":["carol"],"commands":["ALL"]}]' --force`, "sudo-grants-all"],
  ["container deploy app --image nginx:1.27 --env API_TOKEN=abc123xyz", "container-env-secret"],
  ["config set nix.settings.sandbox false", "nix-sandbox-disabled"],
  ["config set security.sudo.wheelNeedsPassword false", "sudo-wheel-nopasswd"],
];

describe("insecure requests are refused without --insecure", () => {
  it.each(INSECURE)("%s -> %s", async (line, id) => {
    const root = fresh();
    const before = treeHash(root);
    const r = await run(`${line} --yes --no-rebuild --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode, r.stdout + r.stderr).toBe(4);
    expectEnvelope(r.json);
    expect(r.json.error.code).toBe("INSECURE");
    const ids = r.json.error.details.findings.map((f: any) => f.id);
    expect(ids).toContain(id);
    for (const f of r.json.error.details.findings) expect(f.alternative.length).toBeGreaterThan(10);
    expect(r.json.error.hint).toMatch(/instead: .*--insecure/);
    expect(treeHash(root)).toBe(before);
    expect(r.stdout + r.stderr).not.toContain("abc123xyz");
    // human mode prints the why and the alternative
    const h = await run(`${line} --yes --no-rebuild --root ${root}`, { path: [FAKES] });
    expect(h.exitCode).toBe(4);
    expect(h.stderr).toContain(`[${id}]`);
    expect(h.stderr).toMatch(/instead: /);
    expect(treeHash(root)).toBe(before);
  });

  it.each(INSECURE)("%s is accepted with --insecure --yes", async (line, id) => {
    const root = fresh();
    const r = await run(`${line} --insecure --yes --no-rebuild --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.changed).toBe(true);
    expect(r.json.plan.findings.map((f: any) => f.id)).toContain(id);
    expect(r.json.warnings.join("\n")).toContain("accepted insecure change");
  });
});

describe("the gate's rules", () => {
  it("a token-shaped --env value is refused even with --insecure: secrets never enter state.toml or the Nix store", async () => {
    const root = fresh();
    const before = treeHash(root);
    const r = await run(`container deploy app2 --image nginx:1.27 --env GH=ghp_abcdefghijklmnopqrstuvwxyz0123 --insecure --yes --no-rebuild --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode).toBe(4);
    expect(r.json.error.hint).toMatch(/--env-secret GH/);
    expect(r.stdout + r.stderr).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123");
    expect(treeHash(root)).toBe(before);
  });

  it("--insecure without --yes on a non-TTY still needs --yes (exit 3, nothing changed)", async () => {
    const root = fresh();
    const before = treeHash(root);
    const r = await run(`config set networking.firewall.enable false --insecure --no-rebuild --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode).toBe(3);
    expect(treeHash(root)).toBe(before);
  });

  it("on a TTY --insecure asks its own question, default No, even with --yes", async () => {
    const root = fresh();
    const before = treeHash(root);
    const asked: string[] = [];
    const prompter = { confirm: async (m: string) => (asked.push(m), false), password: async () => "", input: async () => "" };
    const r = await run(`config set networking.firewall.enable false --insecure --yes --no-rebuild --root ${root}`, { path: [FAKES], tty: true, prompter });
    expect(r.exitCode).toBe(3);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/less secure.*firewall-disabled/);
    expect(treeHash(root)).toBe(before);
    // without --yes: the ordinary question first, then the insecure one; yes to both applies
    const asked2: string[] = [];
    const yes = { confirm: async (m: string) => (asked2.push(m), true), password: async () => "", input: async () => "" };
    const r2 = await run(`config set networking.firewall.enable false --insecure --no-rebuild --root ${root}`, { path: [FAKES], tty: true, prompter: yes });
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(asked2).toEqual(["Apply these changes?", expect.stringMatching(/less secure/)]);
  });

  it("on a TTY without --insecure it is refused before any question", async () => {
    const root = fresh();
    const asked: string[] = [];
    const prompter = { confirm: async (m: string) => (asked.push(m), true), password: async () => "", input: async () => "" };
    const r = await run(`config set networking.firewall.enable false --no-rebuild --root ${root}`, { path: [FAKES], tty: true, prompter });
    expect(r.exitCode).toBe(4);
    expect(asked).toEqual([]);
  });

  it("--dry-run shows the findings and changes nothing (exit 0)", async () => {
    const root = fresh();
    const before = treeHash(root);
    const r = await run(`config set networking.firewall.enable false --dry-run --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode).toBe(0);
    expect(r.json.plan.findings[0].id).toBe("firewall-disabled");
    expect(treeHash(root)).toBe(before);
  });

  it.each([
    ["config set networking.firewall.allowPing true"],
    ["config set services.openssh.settings.PasswordAuthentication false"],
    ["container deploy web --image nginx:1.27 --port 8080:80 --public"],
    ["container deploy db --image postgres:16 --port 5432:5432"],
    ["container deploy db2 --image postgres:16 --port 127.0.0.1:5433:5432"],
    ["user add dave --groups wheel --ssh-key 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dave@laptop'"],
    ["container deploy app --image nginx:1.27 --env TZ=UTC --env LOG_LEVEL=debug"],
  ])("%s is not a finding", async (line) => {
    const root = fresh();
    const r = await run(`${line} --yes --no-rebuild --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.plan.findings).toBeUndefined();
  });

  it("an unrelated change on an already insecure state is not blocked (only what a change adds counts)", async () => {
    const root = fresh();
    expect((await run(`config set networking.firewall.enable false --insecure --yes --no-rebuild --root ${root}`, { path: [FAKES] })).exitCode).toBe(0);
    const r = await run(`config set networking.hostName web1 --yes --no-rebuild --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode, r.stdout).toBe(0);
  });

  it("user password: a weak password is refused without --insecure, chpasswd never runs", async () => {
    const root = fresh();
    const r = await run(`user password bob --json --root ${root}`, { path: [FAKES], stdin: "hunter2\n", env: { NIXI_ROOT_EXEC: "1", FAKE_LOG: `${root}/fake.log` } });
    expect(r.exitCode, r.stdout).toBe(4);
    expect(r.json.error.details.findings[0].id).toBe("user-weak-password");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });
});
