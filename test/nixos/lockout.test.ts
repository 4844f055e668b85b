// Lock-out guards (issue 11): inside an SSH session (SSH_CONNECTION) and on a remote node over real
// sshd, a change that would cut off SSH is refused with exit 4 (LOCKOUT), nothing changes, and
// --force lets it through. Outside an SSH session the same changes pass.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, NIXI_DIR } from "../helpers/tree.js";
import { cleanup, makeKey, startSshd, type Sshd } from "../helpers/sshd.js";

const PASSWD = "root:x:0:0::/root:/bin/sh\nalice:x:1000:100:Alice:/home/alice:/bin/sh\nbob:x:1001:100::/home/bob:/bin/sh\n";
const GROUP = "root:x:0:\nwheel:x:1:alice\nusers:x:100:\n";
const SHADOW = "root:$6$r:19000::::::\nalice:$6$s$h:19000::::::\nbob:$6$s$h:19000::::::\n";
const keyDir = mkdtempSync(join(tmpdir(), "nixi-lockout-keys-"));
let pub = "";
let pub2 = "";

beforeAll(() => {
  for (const n of ["a", "b"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${n}@laptop`, "-f", join(keyDir, n)]);
  pub = readFileSync(join(keyDir, "a.pub"), "utf8").trim();
  pub2 = readFileSync(join(keyDir, "b.pub"), "utf8").trim();
});
afterAll(async () => {
  cleanupRoots();
  rmSync(keyDir, { recursive: true, force: true });
  await cleanup();
});

const SESSION = { SSH_CONNECTION: "10.0.0.9 50123 10.0.0.2 2222", USER: "alice", NIXI_ROOT_EXEC: "1" };
const machine = () => {
  const root = makeRoot({ "/etc/passwd": PASSWD, "/etc/group": GROUP, "/etc/shadow": SHADOW, "/etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
  mkdirSync(join(root, "home/alice/.ssh"), { recursive: true });
  return root;
};
const go = (root: string, cmd: string, env: Record<string, string | undefined> = SESSION) => run(`${cmd} --yes --no-rebuild --json --root ${root}`, { env });

async function refusedThenForced(root: string, cmd: string, why: RegExp, env: Record<string, string | undefined> = SESSION) {
  const before = treeHash(root);
  const r = await go(root, cmd, env);
  expect(r.exitCode, r.stdout + r.stderr).toBe(4);
  expect(r.json.error.code).toBe("LOCKOUT");
  expect(r.json.error.message).toMatch(why);
  expect(r.json.error.hint).toMatch(/--force/);
  expect(treeHash(root)).toBe(before);
  // the dry run predicts the refusal
  expect((await run(`${cmd} --dry-run --json --root ${root}`, { env })).exitCode).toBe(4);
  const f = await go(root, `${cmd} --force`, env);
  expect(f.exitCode, f.stdout + f.stderr).toBe(0);
}

describe("inside an SSH session (SSH_CONNECTION)", () => {
  it("closing the session's port, or sshd's declared port, is refused; --force applies; outside a session it passes", async () => {
    const root = machine();
    // opening SSH while password login is on is an insecure request (issue 13): accepted here
    expect((await go(root, "fw open 2222 22 8080 --insecure")).exitCode).toBe(0);
    // a port nothing SSH uses closes without a question
    expect((await go(root, "fw close 8080")).exitCode).toBe(0);
    await refusedThenForced(root, "fw close 2222", /closing port 2222\/tcp \(the port of the SSH connection/);
    await refusedThenForced(root, "fw close 22", /closing port 22\/tcp \(a port sshd listens on\)/);
    const plain = machine();
    expect((await go(plain, "fw open 2222", { NIXI_ROOT_EXEC: "1", SSH_CONNECTION: undefined })).exitCode).toBe(0);
    expect((await go(plain, "fw close 2222", { NIXI_ROOT_EXEC: "1", SSH_CONNECTION: undefined })).exitCode).toBe(0);
  });

  it("disabling sshd, its firewall rule, or moving it off the session's port is refused", async () => {
    const root = machine();
    await refusedThenForced(root, "config set services.openssh.enable false", /disabling sshd/);
    await refusedThenForced(root, "config set services.openssh.openFirewall false", /openFirewall = false/);
    await refusedThenForced(root, "config set services.openssh.ports [2200]", /moving sshd off port 2222/);
    // keeping the session's port is fine
    expect((await go(machine(), "config set services.openssh.ports [2222,22]")).exitCode).toBe(0);
  });

  it("password login off is refused until a wheel account has an authorized key", async () => {
    const root = machine();
    await refusedThenForced(root, "config set services.openssh.settings.PasswordAuthentication false", /no administrator \(wheel\) account has an authorized key/);
    const withKey = machine();
    writeFileSync(join(withKey, "home/alice/.ssh/authorized_keys"), pub + "\n");
    expect((await go(withKey, "config set services.openssh.settings.PasswordAuthentication false")).exitCode).toBe(0);
    const declared = machine();
    expect((await run(["user", "add", "carol", "--groups", "wheel", "--ssh-key", pub, "--yes", "--no-rebuild", "--root", declared], { env: SESSION })).exitCode).toBe(0);
    expect((await go(declared, "config set services.openssh.settings.PasswordAuthentication false")).exitCode).toBe(0);
  });

  it("removing the login user, its last declared key, its last authorized_keys line, or locking it is refused", async () => {
    const root = machine();
    const env = { ...SESSION, USER: "carol" };
    expect((await run(["user", "add", "carol", "--ssh-key", pub, "--yes", "--no-rebuild", "--root", root], { env })).exitCode).toBe(0);
    await refusedThenForced(root, "user remove carol", /removing the user carol, the SSH login user/, env);
    // operate commands: lock and ssh-key remove on the login user
    const live = machine();
    writeFileSync(join(live, "home/alice/.ssh/authorized_keys"), `${pub}\n${pub2}\n`);
    const fakes = join(keyDir, "bin");
    mkdirSync(fakes, { recursive: true });
    writeFileSync(join(fakes, "passwd"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const lock = await run(`user lock alice --json --root ${live}`, { env: SESSION, path: [fakes] });
    expect(lock.exitCode).toBe(4);
    expect(lock.json.error.message).toMatch(/locking alice, the SSH login user/);
    expect((await run(`user lock bob --json --root ${live}`, { env: SESSION, path: [fakes] })).exitCode).toBe(0);
    expect((await run(`user lock alice --force --json --root ${live}`, { env: SESSION, path: [fakes] })).exitCode).toBe(0);
    // one of two keys may go; the last one may not
    expect((await run(`user ssh-key remove alice a@laptop --json --root ${live}`, { env: SESSION })).exitCode).toBe(0);
    const last = await run(`user ssh-key remove alice b@laptop --json --root ${live}`, { env: SESSION });
    expect(last.exitCode).toBe(4);
    expect(last.json.error.message).toMatch(/last authorized SSH key of alice/);
    expect(readFileSync(join(live, "home/alice/.ssh/authorized_keys"), "utf8")).toContain(pub2);
  });
});

describe("on a remote node over real sshd", () => {
  let node: Sshd;
  let work: string;
  let cfg: string;
  let home: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "nixi-lockout-remote-"));
    home = join(work, "home");
    const key = makeKey(join(home, ".ssh"));
    node = await startSshd({ authorizedKeys: [key.publicKey] });
    mkdirSync(join(work, "remote/etc/nixos"), { recursive: true });
    cfg = join(work, "config.toml");
    writeFileSync(cfg, `[nixos]\ndir = "${work}/remote${NIXI_DIR}"\nconfiguration = "${work}/remote/etc/nixos/configuration.nix"\n\n[[nodes]]\nname = "web"\nhost = "127.0.0.1"\nport = ${node.port}\nuser = "root"\n`);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("closing the port nixi's connection uses is refused (exit 4), --force closes it", async () => {
    const env = { HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg };
    const n = (cmd: string) => run(`--node web ${cmd} --yes --no-rebuild --json`, { env });
    expect((await n(`fw open ${node.port}`)).exitCode).toBe(0);
    const r = await n(`fw close ${node.port}`);
    expect(r.exitCode).toBe(4);
    expect(r.json.results?.[0]?.error?.code ?? r.json.error?.code).toBe("LOCKOUT");
    expect(readFileSync(join(work, "remote", NIXI_DIR, "state.toml"), "utf8")).toContain(String(node.port));
    expect((await n(`fw close ${node.port} --force`)).exitCode).toBe(0);
    expect(readFileSync(join(work, "remote", NIXI_DIR, "state.toml"), "utf8")).not.toContain(String(node.port));
  });
});
