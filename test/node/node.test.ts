// node adopt / list / remove and --node fan-out through the real CLI entry, against real OpenSSH servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, statSync, existsSync, readdirSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { cleanup, freePort, makeKey, makeNetns, makeUser, startSshd, type ClientKey, type Netns, type Sshd, type TestUser } from "../helpers/sshd.js";

let work: string;
let home: string;
let key: ClientKey;
let a: Sshd;
let b: Sshd;
let pwNode: Sshd;
let nsNode: Sshd;
let ns: Netns;
let user: TestUser;
const PASSWORD = "Tr0ub4dor-&3-nixi-" + process.pid;

let cfgN = 0;
/** A fresh config.toml (and its own known_hosts next to it). */
function config(body = ""): string {
  const dir = join(work, `cfg${++cfgN}`);
  const path = join(dir, "config.toml");
  mkdtempSync; // (folder made by writeText on first adopt otherwise)
  require("node:fs").mkdirSync(dir, { recursive: true });
  writeFileSync(path, `# my own notes stay here\n[ssh]\nconnect_timeout = 2 # short for tests\n${body}`);
  return path;
}
const env = (cfg: string, extra: Record<string, string | undefined> = {}) => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg, ...extra });
const nodeToml = (name: string, s: { host: string; port: number }, extra = "") =>
  `\n[[nodes]]\nname = "${name}"\nhost = "${s.host}"\nport = ${s.port}\nuser = "root"\n${extra}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-node-test-"));
  home = join(work, "home");
  key = makeKey(join(home, ".ssh"));
  [a, b] = await Promise.all([startSshd({ authorizedKeys: [key.publicKey] }), startSshd({ authorizedKeys: [key.publicKey] })]);
  user = makeUser("nd", PASSWORD);
  pwNode = await startSshd({ homeAuthorizedKeys: true, passwordAuthentication: true });
  ns = makeNetns("node", 78);
  nsNode = await startSshd({ netns: ns.name, host: ns.address, authorizedKeys: [key.publicKey] });
});

afterAll(async () => {
  await cleanup();
  user?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("node adopt", () => {
  it("by key: records the host key, appends the node to config.toml keeping the rest, human and --json", async () => {
    const cfg = config();
    const before = readFileSync(cfg, "utf8");
    const r = await run(`node adopt a1 127.0.0.1 --port ${a.port} --user root --yes`, { env: env(cfg) });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/login:\s+SSH key/);
    expect(r.stdout).toMatch(/NixOS:\s+25\.05/);
    const text = readFileSync(cfg, "utf8");
    expect(text.startsWith(before)).toBe(true);
    expect(text.slice(before.length)).toBe(`\n[[nodes]]\nname = "a1"\nhost = "127.0.0.1"\nuser = "root"\nport = ${a.port}\nmode = "managed"\n`);
    const kh = readFileSync(join(cfg, "../known_hosts"), "utf8");
    expect(kh).toBe(`[127.0.0.1]:${a.port} ${readFileSync(a.hostKey + ".pub", "utf8").split(" ").slice(0, 2).join(" ")}\n`);

    const j = await run(`node adopt b1 127.0.0.1 --port ${b.port} --user root --mode monitored --yes --json`, { env: env(cfg) });
    expect(j.exitCode).toBe(0);
    expectEnvelope(j.json);
    expect(j.json.data).toMatchObject({ name: "b1", mode: "monitored", auth: "key", hostKey: { type: "ssh-ed25519", recorded: true }, nixosVersion: expect.stringMatching(/^25\.05/) });
    expect(j.json.data.hostKey.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);

    const again = await run(`node adopt a1 127.0.0.1 --port ${a.port} --user root --yes`, { env: env(cfg) });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/node "a1" is already in/);
  });

  it("bad input is refused with exit 2 naming the value, nothing written", async () => {
    const cfg = config();
    const before = readFileSync(cfg, "utf8");
    for (const [cmd, bad] of [
      [`node adopt local 127.0.0.1 --yes`, "local"],
      [`node adopt 'x;y' 127.0.0.1 --yes`, "x;y"],
      [`node adopt ok -oProxyCommand=x --yes`, "-oProxyCommand=x"],
      [`node adopt ok 127.0.0.1 --port 70000 --yes`, "70000"],
      [`node adopt ok 127.0.0.1 --user 'a b' --yes`, "a b"],
    ]) {
      const r = await run(cmd, { env: env(cfg) });
      expect(r.exitCode, cmd).toBe(2);
      expect(r.stderr, cmd).toContain(bad);
    }
    expect(readFileSync(cfg, "utf8")).toBe(before);
  });

  it("non-interactive without a working key: exit 5 with the exact ssh-copy-id command, config unchanged", async () => {
    const cfg = config();
    const before = readFileSync(cfg, "utf8");
    const r = await run(`node adopt p1 127.0.0.1 --port ${pwNode.port} --user ${user.name} --yes`, { env: env(cfg) });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain(`ssh-copy-id -i ${key.path}.pub -p ${pwNode.port} ${user.name}@127.0.0.1`);
    expect(readFileSync(cfg, "utf8")).toBe(before);
    const j = await run(`node adopt p1 127.0.0.1 --port ${pwNode.port} --user ${user.name} --yes --json`, { env: env(cfg) });
    expectEnvelope(j.json);
    expect(j.json.error.code).toBe("AUTH_FAILED");
  });

  it("by password (asked once, masked): installs the key with 700/600 modes, ends in key login, the password is nowhere", async () => {
    const cfg = config();
    const asked: string[] = [];
    const prompter = {
      confirm: async () => true,
      input: async () => "",
      password: async (m: string) => {
        asked.push(m);
        return PASSWORD;
      },
    };
    // existing authorized_keys without a final newline must stay intact
    require("node:fs").mkdirSync(join(user.home, ".ssh"), { recursive: true });
    writeFileSync(join(user.home, ".ssh/authorized_keys"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey0 other@host");
    require("node:child_process").execFileSync("chown", ["-R", user.name, join(user.home, ".ssh")]);
    const r = await run(`node adopt p1 127.0.0.1 --port ${pwNode.port} --user ${user.name}`, { env: env(cfg), tty: true, prompter });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(asked).toEqual([`Password for ${user.name}@127.0.0.1:`]);
    expect(r.stdout).toMatch(/login:\s+SSH key \(installed with the password, which was not kept\)/);
    const ak = readFileSync(join(user.home, ".ssh/authorized_keys"), "utf8");
    expect(ak).toBe(`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey0 other@host\n${key.publicKey}\n`);
    expect(statSync(join(user.home, ".ssh")).mode & 0o777).toBe(0o700);
    expect(statSync(join(user.home, ".ssh/authorized_keys")).mode & 0o777).toBe(0o600);
    // key login now works without any prompt
    const l = await run(`node list --json`, { env: env(cfg) });
    expect(l.json.data[1]).toMatchObject({ name: "p1", status: "online" });
    // the password is in no output, no file nixi wrote, no log
    expect(r.stdout + r.stderr + l.stdout + l.stderr).not.toContain(PASSWORD);
    const files = [cfg, join(cfg, "../known_hosts"), join(pwNode.dir, "sshd.log"), join(user.home, ".ssh/authorized_keys")];
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toContain(PASSWORD);
    expect(readFileSync(join(pwNode.dir, "sshd.log"), "utf8")).toMatch(/Accepted password for/);
    expect(readFileSync(join(pwNode.dir, "sshd.log"), "utf8")).toMatch(/Accepted publickey for/);
  });
});

describe("node adopt in a real terminal (built CLI under script(1))", () => {
  it("prompts for confirmation and the masked password on the TTY; the password is never echoed", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("../helpers/run.js");
    const u2 = makeUser("pt", PASSWORD + "-tty");
    try {
      const cfg = config();
      const cmd = [process.execPath, BIN, "node", "adopt", "t1", "127.0.0.1", "--port", String(pwNode.port), "--user", u2.name].map((w) => `'${w}'`).join(" ");
      const child = spawn("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, ...env(cfg), NO_COLOR: "1", TERM: "xterm" } as any, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let confirmed = false;
      let typed = false;
      child.stdout.on("data", (d) => {
        out += d;
        if (!confirmed && /Apply these changes\?/.test(out)) {
          confirmed = true;
          child.stdin.write("y\r");
        }
        if (!typed && /Password for/.test(out)) {
          typed = true;
          child.stdin.write(PASSWORD + "-tty\r");
        }
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
      clearTimeout(timer);
      expect(code, out).toBe(0);
      expect(confirmed && typed).toBe(true);
      expect(out).toMatch(/login:\s+SSH key \(installed with the password/);
      expect(out).not.toContain(PASSWORD);
      expect(readFileSync(join(u2.home, ".ssh/authorized_keys"), "utf8")).toBe(key.publicKey + "\n");
      expect(readFileSync(cfg, "utf8")).not.toContain(PASSWORD);
    } finally {
      u2.remove();
    }
  });
});

describe("node list", () => {
  it("controller first; online, unreachable (netns drop), auth-failed, host-key-changed, refused — probed in parallel within the timeout", async () => {
    const refusedPort = await freePort();
    const cfg = config(
      nodeToml("a", a) + nodeToml("dead", { host: ns.address, port: 22 }) + nodeToml("wronguser", a).replace('user = "root"', 'user = "nobody"') + nodeToml("changed", b) + nodeToml("refused", { host: "127.0.0.1", port: refusedPort }),
    );
    writeFileSync(join(cfg, "../known_hosts"), `[127.0.0.1]:${b.port} ${readFileSync(a.hostKey + ".pub", "utf8").split(" ").slice(0, 2).join(" ")}\n`);
    const khBefore = readFileSync(join(cfg, "../known_hosts"));
    ns.drop();
    try {
      const t0 = Date.now();
      const r = await run(`node list --json`, { env: env(cfg) });
      const took = Date.now() - t0;
      expect(r.exitCode).toBe(0);
      expectEnvelope(r.json);
      const rows = r.json.data;
      expect(rows.map((x: any) => [x.name, x.status])).toEqual([
        ["local", "online"],
        ["a", "online"],
        ["dead", "unreachable"],
        ["wronguser", "auth-failed"],
        ["changed", "host-key-changed"],
        ["refused", "unreachable"],
      ]);
      expect(rows[0].mode).toBe("controller");
      expect(rows[1].nixosVersion).toMatch(/^25\.05/);
      // one dead node costs its 2 s connect timeout once, not once per node
      expect(took).toBeLessThan(4000);
      expect(rows.find((x: any) => x.name === "a").ms).toBeLessThan(1500);
      expect(readFileSync(join(cfg, "../known_hosts")).equals(khBefore) || readFileSync(join(cfg, "../known_hosts"), "utf8").startsWith(khBefore.toString())).toBe(true);

      const h = await run(`node list`, { env: env(cfg) });
      expect(h.exitCode).toBe(0);
      const lines = h.stdout.split("\n");
      expect(lines[0]).toMatch(/^NAME\s+HOST\s+USER\s+MODE\s+STATUS\s+NIXOS/);
      expect(lines[1]).toMatch(/^local\s/);
      expect(h.stdout).toMatch(/changed: WARNING: the host key of changed/);
    } finally {
      ns.undrop();
    }
  });
});

describe("--node fan-out", () => {
  it("runs a read command on several nodes: JSON results array, human sections, exit 7 when some fail, a dead node costs only its timeout", async () => {
    const cfg = config(nodeToml("a", a) + nodeToml("b", b) + nodeToml("dead", { host: ns.address, port: 22 }));
    const ok = await run(`service list --node a,b --json`, { env: env(cfg), path: [] });
    expectEnvelope(ok.json);
    expect(ok.json.results.map((x: any) => [x.node, x.ok])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    expect(ok.exitCode).toBe(0);

    ns.drop();
    try {
      const t0 = Date.now();
      const r = await run(`service list --node dead,a,b --json`, { env: env(cfg) });
      const took = Date.now() - t0;
      expect(r.exitCode).toBe(7);
      expectEnvelope(r.json);
      expect(r.json.ok).toBe(false);
      expect(r.json.results.map((x: any) => [x.node, x.ok])).toEqual([
        ["dead", false],
        ["a", true],
        ["b", true],
      ]);
      expect(r.json.results[0].error.code).toBe("UNREACHABLE");
      expect(took).toBeLessThan(4000);

      const h = await run(`service list --node dead,a --parallel 2`, { env: env(cfg) });
      expect(h.exitCode).toBe(7);
      // the live node's section is printed first: it did not wait for the dead one
      expect(h.stdout.indexOf("== a ==")).toBe(0);
      expect(h.stdout).toContain("== dead ==");
      expect(h.stderr).toMatch(/dead: error: node dead .* is unreachable/);
      expect(h.stderr).toMatch(/1 of 2 nodes failed/);
    } finally {
      ns.undrop();
    }
    const all = await run(`service list --all-nodes --json`, { env: env(cfg) });
    expect(all.json.results.map((x: any) => x.node)).toEqual(["local", "a", "b", "dead"]);
    const unknown = await run(`service list --node nope`, { env: env(cfg) });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown node "nope"/);
  });
});

describe("node remove", () => {
  it("drops the block and its host key, keeps everything else byte for byte; re-adoption after a key change works", async () => {
    const c = await startSshd({ authorizedKeys: [key.publicKey] });
    const cfg = config(nodeToml("keep", a, "# a comment inside keep\n") + "\n[ask]\nmodel = \"x\"\n");
    const before = readFileSync(cfg, "utf8");
    expect((await run(`node adopt gone 127.0.0.1 --port ${c.port} --user root --yes`, { env: env(cfg) })).exitCode).toBe(0);
    expect((await run(`node list --json`, { env: env(cfg) })).json.data.map((x: any) => x.status)).toEqual(["online", "online", "online"]);
    const kh = join(cfg, "../known_hosts");
    expect(readFileSync(kh, "utf8")).toContain(`[127.0.0.1]:${c.port} `);

    // the node is reinstalled: new host key, same address
    await c.stop();
    const c2 = await startSshd({ port: c.port, authorizedKeys: [key.publicKey] });
    const khBefore = readFileSync(kh);
    const refused = await run(`service list --node gone --json`, { env: env(cfg) });
    expect(refused.exitCode).toBe(5);
    expect(refused.json.error.code).toBe("HOST_KEY_CHANGED");
    expect(readFileSync(kh).equals(khBefore)).toBe(true);

    const dry = await run(`node remove gone --dry-run`, { env: env(cfg) });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('-name = "gone"');
    const noYes = await run(`node remove gone`, { env: env(cfg) });
    expect(noYes.exitCode).toBe(3);
    const r = await run(`node remove gone --yes --json`, { env: env(cfg) });
    expect(r.exitCode).toBe(0);
    expectEnvelope(r.json);
    expect(r.json.data).toMatchObject({ name: "gone", hostKeysRemoved: 1 });
    expect(readFileSync(cfg, "utf8")).toBe(before);
    expect(readFileSync(kh, "utf8")).not.toContain(`[127.0.0.1]:${c.port} `);

    const re = await run(`node adopt gone 127.0.0.1 --port ${c2.port} --user root --yes --json`, { env: env(cfg) });
    expect(re.exitCode).toBe(0);
    expect(re.json.data.hostKey.recorded).toBe(true);
    expect((await run(`node remove nope --yes`, { env: env(cfg) })).exitCode).toBe(2);
  });
});
