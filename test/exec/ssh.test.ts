// The SSH executor against real OpenSSH servers: loopback nodes and one inside a network namespace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { SshExecutor, type SshOptions } from "../../src/exec/ssh.js";
import { NixiError } from "../../src/core/errors.js";
import { cleanup, freePort, makeKey, makeNetns, makeUser, startSshd, type Netns, type Sshd, type ClientKey, type TestUser } from "../helpers/sshd.js";

let work: string;
let home: string;
let key: ClientKey;
let a: Sshd;
let ns: Netns;
let nsNode: Sshd;
let user: TestUser;
let sudoOk: Sshd;
let sudoPw: Sshd;
const open: SshExecutor[] = [];

function opts(extra: Partial<SshOptions> = {}): SshOptions {
  return { knownHosts: join(work, "known_hosts"), connectTimeoutMs: 2000, commandTimeoutMs: 20000, env: { HOME: home }, ...extra };
}
function ex(node: { host: string; port: number }, extra: Partial<SshOptions> = {}, username = "root", name = "n1"): SshExecutor {
  const e = new SshExecutor({ name, host: node.host, port: node.port, user: username }, opts(extra));
  open.push(e);
  return e;
}
async function err(p: Promise<unknown>): Promise<NixiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NixiError);
    return e as NixiError;
  }
  throw new Error("expected a NixiError");
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-ssh-test-"));
  home = join(work, "home");
  key = makeKey(join(home, ".ssh"));
  a = await startSshd({ authorizedKeys: [key.publicKey] });
  ns = makeNetns("sshx", 77);
  nsNode = await startSshd({ netns: ns.name, host: ns.address, authorizedKeys: [key.publicKey] });
  user = makeUser("sx", "unused-" + Math.random());
  execFileSync("sh", ["-c", `mkdir -p ${user.home}/.ssh && cp ${key.path}.pub ${user.home}/.ssh/authorized_keys && chown -R ${user.name} ${user.home}/.ssh`]);
  sudoOk = await startSshd({ homeAuthorizedKeys: true, sudo: "ok" });
  sudoPw = await startSshd({ homeAuthorizedKeys: true, sudo: "password" });
});

afterAll(async () => {
  for (const e of open) await e.close().catch(() => {});
  await cleanup();
  user?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("ssh executor", () => {
  it("passes argv byte-exact: $(...), backticks, ;, quotes, newlines, globs reach the program unchanged", async () => {
    const canary = join(work, "canary");
    const argv = [
      "printargs",
      `$(touch ${canary})`,
      "`touch " + canary + "`",
      `a; touch ${canary}`,
      `it's "quoted" \\ back\\slash`,
      "line1\nline2\n",
      "*",
      "",
      "  spaced  ",
      "$HOME ${PATH} ~ !x #c",
      "|& > < && ||",
      "ünïcödé ✓",
      "'",
      "\t\r",
    ];
    const e = ex(a);
    const r = await e.run(argv);
    expect(r.exitCode).toBe(0);
    const calls = a.calls();
    expect(calls.at(-1)).toEqual({ prog: "printargs", args: argv.slice(1) });
    expect(existsSync(canary)).toBe(false);
  });

  it("records the host key on first contact (accept-new) and reuses one connection", async () => {
    const logins = () => readFileSync(join(a.dir, "sshd.log"), "utf8").match(/Accepted publickey for root/g)?.length ?? 0;
    const before = logins();
    const e = ex(a);
    for (let i = 0; i < 5; i++) expect((await e.run(["true"])).exitCode).toBe(0);
    const kh = readFileSync(join(work, "known_hosts"), "utf8");
    const pub = readFileSync(a.hostKey + ".pub", "utf8").split(" ").slice(0, 2).join(" ");
    expect(kh).toContain(`[127.0.0.1]:${a.port} ${pub}`);
    // five commands, one connection: one more accepted login in the sshd log (whatever ran before)
    expect(logins() - before).toBe(1);
    // the key in the file is a real known_hosts entry: OpenSSH accepts it with StrictHostKeyChecking=yes
    const out = execFileSync("ssh", ["-F", "/dev/null", "-i", key.path, "-p", String(a.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${join(work, "known_hosts")}`, "root@127.0.0.1", "echo", "ok"], { encoding: "utf8" });
    expect(out.trim()).toBe("ok");
  });

  it("stdin, exit codes, missing programs and command timeouts", async () => {
    const e = ex(a);
    const big = "x".repeat(300_000) + "\nsecret=1\n";
    expect((await e.run(["cat"], { input: big })).stdout).toBe(big);
    expect(await e.run(["sh", "-c", "echo out; echo err >&2; exit 3"])).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    expect(await e.run(["no-such-program-nixi"])).toMatchObject({ exitCode: 127, notFound: true });
    const t0 = Date.now();
    const r = await e.run(["sleep", "10"], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await e.run(["pwd"], { cwd: "/tmp" })).stdout).toBe("/tmp\n");
    expect((await e.run(["sh", "-c", 'printf %s "$X"'], { env: { X: "a b'c" } })).stdout).toBe("a b'c");
    expect(await e.which("sh")).toMatch(/^\/.*\/sh$/);
    expect(await e.which("no-such-program-nixi")).toBeNull();
    const chunks: string[] = [];
    await e.run(["sh", "-c", "echo one; sleep 0.2; echo two"], { onStdout: (c) => chunks.push(c) });
    expect(chunks.join("")).toBe("one\ntwo\n");
  });

  it("file operations: atomic write with mode, read, stat, realpath, readdir, exclusive mkdir, rename, chmod, remove", async () => {
    const e = ex(a);
    const d = mkdtempSync(join(tmpdir(), "nixi-remote-"));
    try {
      const f = join(d, "sub/dir/file.txt");
      const content = "héllo\n'$(x)'\n";
      await e.writeFile(f, content, { mode: 0o600 });
      expect(readFileSync(f, "utf8")).toBe(content);
      expect(await e.readFile(f)).toBe(content);
      expect(await e.readFile(join(d, "missing"))).toBeNull();
      expect(await e.stat(f)).toMatchObject({ type: "file", size: Buffer.byteLength(content), mode: 0o600 });
      expect((await e.stat(join(d, "sub")))?.type).toBe("dir");
      expect(await e.stat(join(d, "nope"))).toBeNull();
      await e.writeFile(f, "second\n");
      expect(await e.readFile(f)).toBe("second\n");
      expect((await e.stat(f))?.mode).toBe(0o644);
      // no temp files left behind
      expect(await e.readdir(join(d, "sub/dir"))).toEqual(["file.txt"]);
      execFileSync("ln", ["-s", "sub/dir", join(d, "link")]);
      expect((await e.stat(join(d, "link")))?.type).toBe("symlink");
      expect(await e.realpath(d + "/link/../dir/file.txt")).toBe(f);
      expect(await e.realpath(join(d, "nope"))).toBeNull();
      expect(await e.readdir(d)).toEqual(["link", "sub"]);
      expect(await e.readdir(join(d, "nope"))).toEqual([]);
      const lock = join(d, "locks/.lock");
      expect(await e.mkdir(lock, { exclusive: true })).toBe(true);
      expect(await e.mkdir(lock, { exclusive: true })).toBe(false);
      expect(await e.mkdir(join(d, "a/b/c"), { mode: 0o750 })).toBe(true);
      expect((await e.stat(join(d, "a/b/c")))?.mode).toBe(0o750);
      await e.rename(f, join(d, "moved"));
      expect(await e.readFile(join(d, "moved"))).toBe("second\n");
      await e.chmod(join(d, "moved"), 0o640);
      expect((await e.stat(join(d, "moved")))?.mode).toBe(0o640);
      await e.remove(join(d, "moved"));
      await e.remove(join(d, "moved"));
      await e.remove(join(d, "a"), { recursive: true });
      expect(await e.readdir(d)).toEqual(["link", "locks", "sub"]);
      await expect(e.readFile("relative/path")).rejects.toThrow(/not an absolute path/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("privileged calls use sudo -n; a sudo password prompt is reported, never waited on", async () => {
    const ok = ex(sudoOk, {}, user.name, "s1");
    const r = await ok.run(["printargs", "x y"], { privileged: true });
    expect(r.exitCode).toBe(0);
    expect(sudoOk.calls().slice(-2)).toEqual([
      { prog: "sudo", args: ["-n", "printargs", "x y"] },
      { prog: "printargs", args: ["x y"] },
    ]);
    // a timed-out command is killed on the node (SSH signal to its process group; OpenSSH cannot
    // signal root sessions, which is why this runs as the unprivileged test user)
    const late = join(user.home, "late");
    const t = await ok.run(["sh", "-c", `sleep 1; touch ${late}`], { timeoutMs: 200 });
    expect(t.timedOut).toBe(true);
    await new Promise((r) => setTimeout(r, 1300));
    expect(existsSync(late)).toBe(false);
    const pw = ex(sudoPw, {}, user.name, "s2");
    const t0 = Date.now();
    const e = await err(pw.run(["nixos-rebuild", "switch"], { privileged: true }));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(e.code).toBe("AUTH_FAILED");
    expect(e.message).toMatch(/sudo on s2 asks .* for a password to run nixos-rebuild/);
    expect(e.hint).toMatch(/nixi node setup s2/);
  });

  it("connection refused → UNREACHABLE (exit 5)", async () => {
    const port = await freePort();
    const e = await err(ex({ host: "127.0.0.1", port }).run(["true"]));
    expect(e.code).toBe("UNREACHABLE");
    expect(e.exitCode).toBe(5);
    expect(e.message).toMatch(/connection refused/);
  });

  it("a node in a namespace answers; with an nft drop rule it is unreachable within the connect timeout", async () => {
    expect((await ex(nsNode).run(["nixos-version"])).stdout).toMatch(/^25\.05/);
    ns.drop();
    try {
      const t0 = Date.now();
      const e = await err(ex(nsNode, { connectTimeoutMs: 1500 }).run(["true"]));
      const took = Date.now() - t0;
      expect(e.code).toBe("UNREACHABLE");
      expect(e.message).toMatch(/within 1.5 s/);
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(2600);
    } finally {
      ns.undrop();
    }
  });

  it("wrong key → AUTH_FAILED with the ssh-copy-id command; no password fallback", async () => {
    const other = join(work, "otherhome");
    makeKey(join(other, ".ssh"));
    const e = await err(new SshExecutor({ name: "n1", host: a.host, port: a.port, user: "root" }, opts({ env: { HOME: other } })).run(["true"]));
    expect(e.code).toBe("AUTH_FAILED");
    expect(e.exitCode).toBe(5);
    expect(e.hint).toContain(`ssh-copy-id -i ${join(other, ".ssh/id_ed25519.pub")} -p ${a.port} root@127.0.0.1`);
    const log = readFileSync(join(a.dir, "sshd.log"), "utf8");
    expect(log).not.toMatch(/password/i);
    const none = await err(new SshExecutor({ name: "n1", host: a.host, port: a.port, user: "root" }, opts({ env: { HOME: join(work, "empty") } })).run(["true"]));
    expect(none.code).toBe("AUTH_FAILED");
    expect(none.hint).toMatch(/ssh-keygen/);
  });

  it("a changed host key is refused (HOST_KEY_CHANGED, exit 5) and known_hosts stays byte-identical", async () => {
    const b = await startSshd({ authorizedKeys: [key.publicKey] });
    expect((await ex(b).run(["true"])).exitCode).toBe(0);
    const kh = join(work, "known_hosts");
    writeFileSync(kh, readFileSync(kh, "utf8") + "# a comment nixi must keep\n");
    const before = readFileSync(kh);
    await b.stop();
    const c = await startSshd({ port: b.port, authorizedKeys: [key.publicKey] }); // new host key, same address
    const e = await err(ex(c).run(["printargs", "must-not-run"]));
    expect(e.code).toBe("HOST_KEY_CHANGED");
    expect(e.exitCode).toBe(5);
    expect(e.message).toMatch(/CHANGED/);
    expect(e.message).toMatch(/man-in-the-middle/);
    expect(readFileSync(kh).equals(before)).toBe(true);
    expect(c.calls()).toEqual([]);
  });
});
