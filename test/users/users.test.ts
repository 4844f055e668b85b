// user group through the CLI: declared users (users.nix evaluated by nix-instantiate, option paths
// checked), authorized_keys edited for real under --root, passwords and locks through fakes of
// chpasswd/passwd that record argv and stdin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, scriptedPrompter, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots, tempDir, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { checkNixFolder, evalModule } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";

const FAKES = join(REPO, "test/fakes");
const keyDir = mkdtempSync(join(tmpdir(), "nixi-keys-"));
afterAll(() => {
  cleanupRoots();
  rmSync(keyDir, { recursive: true, force: true });
});

interface Key {
  pub: string;
  priv: string;
  fingerprint: string;
}
const keys: Record<string, Key> = {};
beforeAll(() => {
  for (const [name, type] of [["ed", "ed25519"], ["rsa", "rsa"], ["ec", "ecdsa"]] as const) {
    const f = join(keyDir, name);
    execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-C", `${name}@laptop`, "-f", f]);
    const fp = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${f}.pub`], { encoding: "utf8" }).split(" ")[1];
    keys[name] = { pub: readFileSync(`${f}.pub`, "utf8").trim(), priv: readFileSync(f, "utf8"), fingerprint: fp };
  }
});

const PASSWD = [
  "root:x:0:0:System administrator:/root:/run/current-system/sw/bin/bash",
  "sshd:x:998:998:SSH privilege separation user:/var/empty:/run/current-system/sw/bin/nologin",
  "alice:x:1000:100:Alice:/home/alice:/run/current-system/sw/bin/bash",
  "bob:x:1001:100::/home/bob:/run/current-system/sw/bin/zsh",
  "nobody:x:65534:65534:Unprivileged account:/var/empty:/run/current-system/sw/bin/nologin",
].join("\n") + "\n";
const GROUP = ["root:x:0:", "wheel:x:1:alice", "users:x:100:", "sshd:x:998:", "docker:x:131:bob", "nogroup:x:65534:"].join("\n") + "\n";
const SHADOW = ["root:$6$r00t:19000::::::", "sshd:!*:19000::::::", "alice:$6$salt$hash:19000::::::", "bob:!$6$salt$bobhash:19000::::::", "nobody:!*:1::::::"].join("\n") + "\n";

function machine(extra: Record<string, string> = {}): string {
  const root = makeRoot({ "/etc/passwd": PASSWD, "/etc/group": GROUP, "/etc/shadow": SHADOW, ...extra });
  mkdirSync(join(root, "home/alice"), { recursive: true });
  mkdirSync(join(root, "home/bob"), { recursive: true });
  return root;
}

const change = (root: string, cmd: string) => run(`${cmd} --yes --no-rebuild --json --root ${root}`);

async function usersNix(root: string) {
  const dir = join(root, NIXI_DIR);
  const { merged } = await checkNixFolder(dir);
  expect(checkOptionPaths(merged)).toEqual([]);
  return evalModule(join(dir, "users.nix"));
}

describe("user list", () => {
  it("lists human accounts with groups, shells and lock state; --all adds system accounts", async () => {
    const root = machine();
    const r = await run(`user list --json --root ${root}`);
    expect(r.exitCode).toBe(0);
    const users = expectEnvelope(r.json).data.users;
    expect(users.map((u: any) => u.name)).toEqual(["root", "alice", "bob"]);
    expect(users[1]).toMatchObject({ name: "alice", uid: 1000, groups: ["users", "wheel"], locked: false, declared: false, present: true, description: "Alice" });
    expect(users[2]).toMatchObject({ name: "bob", groups: ["users", "docker"], locked: true, shell: "/run/current-system/sw/bin/zsh" });
    const all = await run(`user list --all --json --root ${root}`);
    expect(all.json.data.users.map((u: any) => u.name)).toEqual(["root", "sshd", "alice", "bob", "nobody"]);
    const human = await run(`user list --root ${root}`);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/alice\s+1000\s+users,wheel\s+bash\s+no/);
    expect(human.stdout).toMatch(/bob\s+1001\s+users,docker\s+zsh\s+yes/);
  });

  it("without a readable /etc/shadow the lock state is unknown, not guessed", async () => {
    const root = makeRoot({ "/etc/passwd": PASSWD, "/etc/group": GROUP });
    const r = await run(`user list --json --root ${root}`);
    expect(r.exitCode).toBe(0);
    expect(r.json.data.users.map((u: any) => u.locked)).toEqual([null, null, null]);
    expect((await run(`user list --root ${root}`)).stdout).toMatch(/alice\s+1000\s+users,wheel\s+bash\s+\?/);
  });

  it("shows a declared user that the rebuild has not created yet", async () => {
    const root = machine();
    expect((await change(root, "user add carol --groups wheel --insecure")).exitCode).toBe(0);
    const r = await run(`user list --json --root ${root}`);
    expect(r.json.data.users.find((u: any) => u.name === "carol")).toMatchObject({ uid: null, declared: true, present: false, groups: ["wheel"] });
    expect((await run(`user list --root ${root}`)).stdout).toContain("declared (rebuild pending)");
  });
});

describe("user add / remove / groups / shell (users.nix)", () => {
  it("declares a normal user with groups, shell, description and keys; zsh gets programs.zsh.enable", async () => {
    const root = machine();
    const r = await run([
      "user", "add", "carol", "--groups", "wheel,docker", "--shell", "zsh", "--description", "Carol C", "--ssh-key", keys.ed.pub, "--ssh-key", keys.rsa.pub,
      "--yes", "--no-rebuild", "--json", "--root", root,
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(expectEnvelope(r.json)).toMatchObject({ ok: true, changed: true, data: { name: "carol", groups: ["docker", "wheel"], shell: "zsh", sshKeys: 2 } });
    const nix = await usersNix(root);
    expect(nix.users.users.carol).toEqual({
      isNormalUser: true,
      extraGroups: ["docker", "wheel"],
      description: "Carol C",
      shell: "<pkg:zsh>",
      openssh: { authorizedKeys: { keys: [keys.ed.pub, keys.rsa.pub] } },
    });
    expect(nix.programs).toEqual({ zsh: { enable: true } });
    const text = read(root, `${NIXI_DIR}/users.nix`);
    expect(text).not.toMatch(/password/i);
    // groups add/remove, shell
    expect((await change(root, "user groups add carol networkmanager wheel")).json.data).toEqual({ name: "carol", added: ["networkmanager"], groups: ["docker", "networkmanager", "wheel"] });
    const warn = await change(root, "user groups add carol audio");
    expect(warn.json.warnings.join(" ")).toContain("audio");
    expect((await change(root, "user groups remove carol docker audio")).exitCode).toBe(0);
    expect((await change(root, "user shell carol fish")).json.data).toEqual({ name: "carol", shell: "fish", previous: "zsh" });
    const nix2 = await usersNix(root);
    expect(nix2.users.users.carol.extraGroups).toEqual(["networkmanager", "wheel"]);
    expect(nix2.users.users.carol.shell).toBe("<pkg:fish>");
    expect(nix2.programs).toEqual({ fish: { enable: true } });
    // bash needs no programs.* option
    await change(root, "user shell carol bash");
    const nix3 = await usersNix(root);
    expect(nix3.users.users.carol.shell).toBe("<pkg:bashInteractive>");
    expect(nix3.programs).toBeUndefined();
    // remove drops the file
    const rm = await change(root, "user remove carol");
    expect(rm.exitCode).toBe(0);
    expect(existsSync(join(root, NIXI_DIR, "users.nix"))).toBe(false);
    expect(read(root, `${NIXI_DIR}/state.toml`)).not.toContain("[users");
  });

  it("declares a system user with its own group", async () => {
    const root = machine();
    expect((await change(root, "user add backup --system --description 'backup jobs'")).exitCode).toBe(0);
    const nix = await usersNix(root);
    expect(nix.users).toEqual({ users: { backup: { isSystemUser: true, group: "backup", description: "backup jobs" } }, groups: { backup: {} } });
  });

  it("adding again with the same settings changes nothing; other settings are refused", async () => {
    const root = machine();
    await change(root, "user add carol --groups wheel --insecure");
    const before = treeHash(root);
    const same = await change(root, "user add carol --groups wheel --insecure");
    expect(expectEnvelope(same.json)).toMatchObject({ ok: true, changed: false });
    const other = await change(root, "user add carol --groups docker");
    expect(other.exitCode).toBe(2);
    expect(other.json.error.message).toContain("already declared");
    expect(treeHash(root)).toBe(before);
  });

  it("declaring an existing machine user warns that uid, home and password are kept", async () => {
    const root = machine();
    const r = await change(root, "user add alice --groups wheel --insecure");
    expect(r.exitCode).toBe(0);
    expect(r.json.data.existedOnMachine).toBe(true);
    expect(r.json.warnings.join(" ")).toContain("already exists");
  });

  it("groups/shell/remove on a user nixi did not declare: exit 2, nothing changed", async () => {
    const root = machine();
    const before = treeHash(root);
    for (const cmd of ["user groups add alice docker", "user shell alice zsh", "user remove alice", "user groups remove alice wheel"]) {
      const r = await change(root, cmd);
      expect(r.exitCode, cmd).toBe(2);
      expect(r.json.error.message).toContain("alice is not declared by nixi");
    }
    expect(treeHash(root)).toBe(before);
  });

  const BAD: Array<[string[], number, string]> = [
    [["user", "add", "Alice"], 2, '"Alice"'],
    [["user", "add", "1abc"], 2, '"1abc"'],
    [["user", "add", "a".repeat(33)], 2, "a".repeat(33)],
    [["user", "add", "carol", "--shell", "tcsh"], 2, "tcsh"],
    [["user", "add", "carol", "--groups", "wheel,Bad"], 2, '"Bad"'],
    [["user", "add", "carol", "--description", "a:b"], 2, "a:b"],
    [["user", "add", "carol", "--ssh-key", "ssh-dss AAAAB3NzaC1kc3MAAACBAP"], 2, "ssh-dss"],
    [["user", "add", "carol", "--ssh-key", "ssh-ed25519 not-base64!"], 2, "not base64"],
    [["user", "add", "root"], 4, "root"],
    [["user", "remove", "root"], 4, "root"],
    [["user", "groups", "add", "carol", "wh eel"], 2, '"wh eel"'],
    [["user", "shell", "carol", "/bin/sh"], 2, '"/bin/sh"'],
  ];
  it.each(BAD)("bad input %j: exit %i naming the value, nothing changed", async (argv, code, named) => {
    const root = machine();
    const before = treeHash(root);
    const r = await run([...argv, "--yes", "--no-rebuild", "--root", root]);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toContain(named);
    expect(treeHash(root)).toBe(before);
    const j = await run([...argv, "--yes", "--no-rebuild", "--json", "--root", root]);
    expect(expectEnvelope(j.json).ok).toBe(false);
  });

  it("a hand-edited [users] table is re-checked before rendering", async () => {
    for (const bad of ['[users."Bad Name"]\n', '[users.eve]\nshell = "tcsh"\n', '[users.eve]\ngroups = ["ok", "no way"]\n', '[users.eve]\nssh_keys = ["not a key"]\n']) {
      const root = machine({ [`${NIXI_DIR}/state.toml`]: bad });
      const before = treeHash(root);
      const r = await run(`user add carol --yes --no-rebuild --json --root ${root}`);
      expect(r.exitCode, bad).toBe(2);
      expect(r.json.error.message).toContain("state.toml [users]");
      expect(treeHash(root)).toBe(before);
    }
  });

  it("an ssh-rsa key whose data holds an ed25519 key is refused", async () => {
    const root = machine();
    const blob = keys.ed.pub.split(" ")[1];
    const r = await run(["user", "add", "carol", "--ssh-key", `ssh-rsa ${blob}`, "--yes", "--root", root]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("says ssh-rsa but its data holds a ssh-ed25519 key");
  });

  it("a private key given to --ssh-key is refused without being echoed", async () => {
    const root = machine();
    const before = treeHash(root);
    for (const json of [false, true]) {
      const r = await run(["user", "add", "carol", "--ssh-key", keys.ed.priv, "--yes", "--root", root, ...(json ? ["--json"] : [])]);
      expect(r.exitCode).toBe(2);
      expect(r.stdout + r.stderr).toContain("PRIVATE key");
      const body = keys.ed.priv.split("\n")[1];
      expect(r.stdout + r.stderr).not.toContain(body.slice(0, 20));
    }
    expect(treeHash(root)).toBe(before);
  });

  it("--dry-run and a non-interactive run without --yes change nothing", async () => {
    const root = machine();
    await change(root, "user add carol");
    const before = treeHash(root);
    const dry = await run(`user groups add carol wheel --dry-run --json --root ${root}`);
    expect(dry.exitCode).toBe(0);
    expect(expectEnvelope(dry.json)).toMatchObject({ dryRun: true, changed: false });
    expect(dry.json.plan.summary).toEqual(["add carol to wheel"]);
    const human = await run(`user add dave --shell zsh --dry-run --root ${root}`);
    expect(human.stdout).toContain("declare user dave");
    const noYes = await run(`user add dave --root ${root}`);
    expect(noYes.exitCode).toBe(3);
    expect(treeHash(root)).toBe(before);
  });
});

describe("user ssh-key (~/.ssh/authorized_keys)", () => {
  it("adds keys (argument, --key-file, stdin) with mode 700/600 owned by the user; list shows ssh-keygen's fingerprints", async () => {
    const root = machine();
    const a = await run(["user", "ssh-key", "add", "alice", ...keys.ed.pub.split(" "), "--json", "--root", root]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(expectEnvelope(a.json)).toMatchObject({ changed: true, data: { added: true, fingerprint: keys.ed.fingerprint, type: "ssh-ed25519", comment: "ed@laptop", file: "/home/alice/.ssh/authorized_keys" } });
    const b = await run(`user ssh-key add alice --key-file ${join(keyDir, "rsa.pub")} --root ${root}`);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toContain(`added ${keys.rsa.fingerprint}`);
    const c = await run(`user ssh-key add alice --key-file - --json --root ${root}`, { stdin: keys.ec.pub + "\n" });
    expect(c.json.data.added).toBe(true);
    const dir = join(root, "home/alice/.ssh");
    const file = join(dir, "authorized_keys");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect([statSync(dir).uid, statSync(dir).gid, statSync(file).uid, statSync(file).gid]).toEqual([1000, 100, 1000, 100]);
    expect(readFileSync(file, "utf8")).toBe(`${keys.ed.pub}\n${keys.rsa.pub}\n${keys.ec.pub}\n`);
    // sshd/ssh-keygen read the file the same way
    const sk = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", file], { encoding: "utf8" });
    const l = await run(`user ssh-key list alice --json --root ${root}`);
    const fps = expectEnvelope(l.json).data.keys.map((k: any) => k.fingerprint);
    expect(fps).toEqual([keys.ed.fingerprint, keys.rsa.fingerprint, keys.ec.fingerprint]);
    for (const fp of fps) expect(sk).toContain(fp);
    // the same key again: nothing to change, file untouched
    const before = treeHash(root);
    const again = await run(`user ssh-key add alice --key-file ${join(keyDir, "ed.pub")} --root ${root}`);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("already in");
    expect(treeHash(root)).toBe(before);
  });

  it("lists keys after options and declared keys; removes by comment or fingerprint keeping other lines", async () => {
    const original = `# keys\nfrom="10.0.0.0/8",command="echo hi" ${keys.rsa.pub}\n${keys.ed.pub}\n`;
    const root = machine({ "/home/bob/.ssh/authorized_keys": original });
    await run(["user", "add", "bob", "--ssh-key", keys.ec.pub, "--yes", "--no-rebuild", "--root", root]);
    const l = await run(`user ssh-key list bob --json --root ${root}`);
    expect(l.json.data.keys).toEqual([
      { type: "ecdsa-sha2-nistp256", fingerprint: keys.ec.fingerprint, comment: "ec@laptop", source: "declared", options: null },
      { type: "ssh-rsa", fingerprint: keys.rsa.fingerprint, comment: "rsa@laptop", source: "file", options: 'from="10.0.0.0/8",command="echo hi"' },
      { type: "ssh-ed25519", fingerprint: keys.ed.fingerprint, comment: "ed@laptop", source: "file", options: null },
    ]);
    const human = await run(`user ssh-key list bob --root ${root}`);
    expect(human.stdout).toContain("users.nix");
    expect(human.stdout).toContain(keys.rsa.fingerprint);
    const r1 = await run(`user ssh-key remove bob rsa@laptop --json --root ${root}`);
    expect(expectEnvelope(r1.json).data.removed).toEqual([{ fingerprint: keys.rsa.fingerprint, type: "ssh-rsa", comment: "rsa@laptop" }]);
    expect(read(root, "/home/bob/.ssh/authorized_keys")).toBe(`# keys\n${keys.ed.pub}\n`);
    const r2 = await run(`user ssh-key remove bob ${keys.ed.fingerprint} --root ${root}`);
    expect(r2.exitCode).toBe(0);
    expect(r2.stdout).toContain(`removed ${keys.ed.fingerprint}`);
    expect(read(root, "/home/bob/.ssh/authorized_keys")).toBe(`# keys\n`);
    // a declared key is not in the file: exit 2 with the way to change it
    const d = await run(`user ssh-key remove bob ec@laptop --root ${root}`);
    expect(d.exitCode).toBe(2);
    expect(d.stderr).toContain("declared in users.nix");
    const missing = await run(`user ssh-key remove bob nobody@nowhere --root ${root}`);
    expect(missing.exitCode).toBe(1);
  });

  it("refuses private keys and bad keys without echoing them; unknown users; symlinked ~/.ssh", async () => {
    const root = machine();
    const before = treeHash(root);
    const priv = await run(`user ssh-key add alice --key-file ${join(keyDir, "ed")} --json --root ${root}`);
    expect(priv.exitCode).toBe(2);
    expect(priv.json.error.message).toContain("PRIVATE key");
    const stdin = await run(`user ssh-key add alice --key-file - --root ${root}`, { stdin: keys.rsa.priv });
    expect(stdin.exitCode).toBe(2);
    for (const r of [priv, stdin]) for (const k of [keys.ed.priv, keys.rsa.priv]) expect(r.stdout + r.stderr).not.toContain(k.split("\n")[1].slice(0, 16));
    const two = await run(`user ssh-key add alice --key-file - --root ${root}`, { stdin: `${keys.ed.pub}\n${keys.rsa.pub}\n` });
    expect(two.exitCode).toBe(2);
    expect((await run(["user", "ssh-key", "add", "zed", keys.ed.pub, "--root", root])).exitCode).toBe(1);
    expect((await run(["user", "ssh-key", "add", "Alice", keys.ed.pub, "--root", root])).exitCode).toBe(2);
    expect((await run(["user", "ssh-key", "add", "alice", "--root", root])).exitCode).toBe(2);
    expect(treeHash(root)).toBe(before);
    const { symlinkSync } = await import("node:fs");
    const target = mkdtempSync(join(tmpdir(), "nixi-target-"));
    symlinkSync(target, join(root, "home/alice/.ssh"));
    const sym = await run(["user", "ssh-key", "add", "alice", keys.ed.pub, "--root", root]);
    expect(sym.exitCode).toBe(4);
    expect(existsSync(join(target, "authorized_keys"))).toBe(false);
    rmSync(target, { recursive: true });
  });

  it("--dry-run lists what it would write and changes nothing", async () => {
    const root = machine();
    const before = treeHash(root);
    const r = await run(["user", "ssh-key", "add", "alice", keys.ed.pub, "--dry-run", "--json", "--root", root]);
    expect(r.exitCode).toBe(0);
    expect(expectEnvelope(r.json).plan.commands.join("\n")).toContain("write /home/alice/.ssh/authorized_keys (mode 600)");
    expect(treeHash(root)).toBe(before);
  });
});

describe("user password / lock / unlock (imperative, fakes for chpasswd and passwd)", () => {
  const SECRET = "correct horse battery staple";
  function fakeEnv() {
    const d = tempDir("nixi-fakelog-");
    return { dir: d, env: { NIXI_FAKE_LOG: join(d, "log"), NIXI_FAKE_STDIN: join(d, "stdin") } };
  }
  const logOf = (f: { env: { NIXI_FAKE_LOG: string } }) => (existsSync(f.env.NIXI_FAKE_LOG) ? readFileSync(f.env.NIXI_FAKE_LOG, "utf8") : "");

  it("sets a password from stdin through chpasswd's stdin, never argv or output", async () => {
    const root = machine();
    const f = fakeEnv();
    for (const json of [false, true]) {
      const r = await run(["user", "password", "alice", "--root", root, ...(json ? ["--json"] : [])], { stdin: SECRET + "\n", path: [FAKES], env: f.env });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      if (json) expect(expectEnvelope(r.json).data).toEqual({ name: "alice", passwordSet: true });
      else expect(r.stdout).toContain("password of alice set");
    }
    expect(logOf(f)).toBe(`chpasswd -R ${root}\n`.repeat(2));
    expect(readFileSync(f.env.NIXI_FAKE_STDIN, "utf8")).toBe(`alice:${SECRET}\n`.repeat(2));
    expect(read(root, "/etc/shadow")).toContain(`alice:$6$fake$${SECRET.length}:`);
    rmSync(f.dir, { recursive: true });
  });

  it("asks twice with a masked prompt when interactive; different answers change nothing", async () => {
    const root = machine();
    const f = fakeEnv();
    const p = scriptedPrompter({ password: [SECRET, SECRET] });
    const r = await run(`user password bob --root ${root}`, { tty: true, prompter: p, path: [FAKES], env: f.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(p.asked).toEqual(["password: New password for bob:", "password: Again:"]);
    expect(readFileSync(f.env.NIXI_FAKE_STDIN, "utf8")).toBe(`bob:${SECRET}\n`);
    const before = treeHash(root);
    const bad = await run(`user password bob --root ${root}`, { tty: true, prompter: scriptedPrompter({ password: [SECRET, "other-words"] }), path: [FAKES], env: f.env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("differ");
    expect(bad.stdout + bad.stderr).not.toContain(SECRET);
    expect(treeHash(root)).toBe(before);
    expect(logOf(f).trim().split("\n")).toHaveLength(1);
    rmSync(f.dir, { recursive: true });
  });

  it("refuses an empty password, an unknown user, and needs stdin or a TTY", async () => {
    const root = machine();
    const f = fakeEnv();
    const before = treeHash(root);
    expect((await run(`user password alice --root ${root}`, { stdin: "\n", path: [FAKES], env: f.env })).exitCode).toBe(2);
    const unknown = await run(`user password zed --root ${root}`, { stdin: SECRET, path: [FAKES], env: f.env });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout + unknown.stderr).not.toContain(SECRET);
    expect(logOf(f)).toBe("");
    expect(treeHash(root)).toBe(before);
    rmSync(f.dir, { recursive: true });
  });

  it("--dry-run reads the password but runs nothing and never shows it", async () => {
    const root = machine();
    const f = fakeEnv();
    const before = treeHash(root);
    const r = await run(`user password alice --dry-run --json --root ${root}`, { stdin: SECRET + "\n", path: [FAKES], env: f.env });
    expect(r.exitCode).toBe(0);
    expect(expectEnvelope(r.json).plan.commands).toEqual([`chpasswd -R ${root}`]); // as run: no sudo when nixi is root
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(logOf(f)).toBe("");
    expect(treeHash(root)).toBe(before);
    rmSync(f.dir, { recursive: true });
  });

  it("locks and unlocks through passwd -l/-u; already in that state is no change; root cannot be locked", async () => {
    const root = machine();
    const f = fakeEnv();
    const opts = { path: [FAKES], env: f.env };
    const l = await run(`user lock alice --json --root ${root}`, opts);
    expect(expectEnvelope(l.json).data).toEqual({ name: "alice", locked: true, changed: true });
    expect(read(root, "/etc/shadow")).toContain("alice:!$6$salt$hash:");
    const again = await run(`user lock alice --root ${root}`, opts);
    expect(again.stdout).toContain("already locked");
    const u = await run(`user unlock bob --root ${root}`, opts);
    expect(u.stdout).toContain("bob is now unlocked");
    expect(read(root, "/etc/shadow")).toContain("bob:$6$salt$bobhash:");
    expect(logOf(f)).toBe(`passwd -R ${root} -l alice\npasswd -R ${root} -u bob\n`);
    const list = await run(`user list --json --root ${root}`);
    expect(list.json.data.users.filter((x: any) => x.locked).map((x: any) => x.name)).toEqual(["alice"]);
    const before = treeHash(root);
    const r = await run(`user lock root --root ${root}`, opts);
    expect(r.exitCode).toBe(4);
    const dry = await run(`user unlock alice --dry-run --json --root ${root}`, opts);
    expect(dry.exitCode).toBe(0);
    expect(dry.json.plan.commands).toEqual([`passwd -R ${root} -u alice`]);
    expect(treeHash(root)).toBe(before);
    expect(logOf(f).trim().split("\n")).toHaveLength(2);
    rmSync(f.dir, { recursive: true });
  });
});
