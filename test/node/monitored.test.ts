// A monitored node refuses every change and operate command (exit 4) in its executor, and the
// node's program log shows that nothing mutating ran there. Also: node setup on a managed node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, splitArgs } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { evalModule } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";
import { cleanup, makeKey, startSshd, type Sshd } from "../helpers/sshd.js";
import { COMMANDS } from "../../src/commands/registry.js";
import { isReadOnlyArgv } from "../../src/exec/monitored.js";

let work: string;
let home: string;
let mon: Sshd;
let managed: Sshd;
let cfg: string;
let remoteRoot: string;
const MON_SRV = `nixi-mon-${process.pid}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-mon-test-"));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  // podman/docker are loggers here: the host's real runtimes are not this test's to touch
  [mon, managed] = await Promise.all([
    startSshd({ authorizedKeys: [key.publicKey], loggers: ["podman", "docker", "passwd", "chpasswd", "mount", "umount"] }),
    startSshd({ authorizedKeys: [key.publicKey], loggers: ["podman", "docker"] }),
  ]);
  // the "remote" machine is this one: point nixi's folder on the nodes at a temp tree
  remoteRoot = join(work, "remote");
  mkdirSync(join(remoteRoot, "etc/nixos"), { recursive: true });
  writeFileSync(join(remoteRoot, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
  mkdirSync(`/srv/${MON_SRV}/config`, { recursive: true });
  writeFileSync(`/srv/${MON_SRV}/config/app.conf`, "keep\n");
  cfg = join(work, "config.toml");
  writeFileSync(
    cfg,
    `[ssh]\nconnect_timeout = 2\n[nixos]\ndir = "${remoteRoot}/etc/nixos/nixi"\nconfiguration = "${remoteRoot}/etc/nixos/configuration.nix"\n` +
      `\n[[nodes]]\nname = "mon"\nhost = "127.0.0.1"\nport = ${mon.port}\nuser = "root"\nmode = "monitored"\n` +
      `\n[[nodes]]\nname = "web"\nhost = "127.0.0.1"\nport = ${managed.port}\nuser = "root"\n`,
  );
});

afterAll(async () => {
  await cleanup();
  rmSync(`/srv/${MON_SRV}`, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg });

/** Cases the examples do not reach (their channels already exist in the fake's fixture: nothing to change). */
const EXTRA: Record<string, string[][]> = {
  "channel add": [["channel", "add", "nixi-test", "https://nixos.org/channels/nixos-25.05"]],
  // the examples name a key file on the reader's machine and an abbreviated key
  // the user commands' examples name "alice", who does not exist on the test node: use a user that does
  "user ssh-key add": [["user", "ssh-key", "add", "root", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0dfiDVe454+YSMxsy2C5NEJ1ftbEokz6gVCMpJYvcY test@nixi"]],
  "user password": [["user", "password", "nobody"]],
  "user lock": [["user", "lock", "nobody"]],
  // a data folder this test makes on the node (this machine): the examples name /srv/web
  "file write": [["file", "write", `${MON_SRV}/config/app.conf`]],
  "file delete": [["file", "delete", `${MON_SRV}/config/app.conf`]],
};

/** Commands that find nothing to do on the test node (it is this machine: no user is locked and no
 *  authorized key exists to remove), so they never reach a mutating call; their answers must still
 *  change nothing, which the loop checks. */
const NOTHING_TO_DO_HERE = new Set(["user unlock", "user ssh-key remove"]);

/** The command's single-invocation examples, made to target the monitored node. */
function examplesFor(spec: (typeof COMMANDS)[number]): string[][] {
  const out: string[][] = [];
  for (const ex of spec.examples ?? []) {
    if (/[|&]/.test(ex.replace(/"[^"]*"/g, "")) || !ex.startsWith("nixi ")) continue;
    const argv = splitArgs(ex.slice(5));
    const one: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === "--node") {
        i++;
        continue;
      }
      if (["--yes", "--json", "--dry-run", "-y"].includes(argv[i])) continue;
      one.push(argv[i]);
    }
    out.push(one);
  }
  return out;
}

describe("monitored node", () => {
  it("every change and operate command is refused with exit 4, and no mutating program ran on the node", async () => {
    // The managed node's tests share this tree: start from a machine where nixi has written nothing.
    rmSync(join(remoteRoot, "etc/nixos/nixi"), { recursive: true, force: true });
    const targets = COMMANDS.filter((c) => c.risk !== "read" && !c.controllerOnly);
    expect(targets.length).toBeGreaterThan(20);
    const refusedPerCommand: Record<string, number> = {};
    for (const spec of targets) {
      const name = spec.path.join(" ");
      refusedPerCommand[name] = 0;
      const examples = [...examplesFor(spec), ...(EXTRA[name] ?? [])];
      expect(examples.length, name).toBeGreaterThan(0);
      for (const argv of examples) {
        // stdin holds a value for commands that read a secret from it (user password, --env-secret)
        const r = await run([...argv, "--node", "mon", "--yes", "--json"], { env: env(), stdin: "Secr3t-pass\n" });
        expectEnvelope(r.json);
        // never a change on a monitored node; "nothing to change" or "no such unit" are answers, not changes
        expect(r.json.changed ?? false, argv.join(" ")).toBe(false);
        if (r.exitCode === 4) {
          expect(["MONITORED", "POLICY", "INSECURE"]).toContain(r.json.error.code);
          refusedPerCommand[name]++;
          break; // one refusal per command is the proof; keeps CI time down
        } else {
          // 2: an example that does not fit this test machine (a file it names); another must be refused
          expect([0, 1, 2], `${argv.join(" ")}: ${r.stdout}`).toContain(r.exitCode);
        }
      }
    }
    // every change and operate command was refused (exit 4) for at least one of its examples
    expect(Object.entries(refusedPerCommand).filter(([name, n]) => n === 0 && !NOTHING_TO_DO_HERE.has(name))).toEqual([]);
    // human output too, for one of each kind
    const h = await run(["service", "restart", "nginx", "--node", "mon"], { env: env() });
    expect(h.exitCode).toBe(4);
    expect(h.stderr).toMatch(/node mon is monitored \(read-only\): refused/);

    // node setup targets a node by name: refused for a monitored one
    const s = await run(["node", "setup", "mon", "--yes", "--json"], { env: env() });
    expect(s.exitCode).toBe(4);

    // the node's logs: only read-only calls reached it
    const calls = [...mon.calls().map((c) => [c.prog, ...c.args]), ...mon.fakeLines().map((l) => l.split(" "))];
    for (const argv of calls) expect(isReadOnlyArgv(argv), argv.join(" ")).toBe(true);
    for (const argv of calls) expect(argv.join(" ")).not.toMatch(/^(nixos-rebuild (switch|boot|test)|systemctl (start|stop|restart|enable|disable)|podman (run|rm|start|stop|create)|nix-channel --(add|update|remove)|reboot|shutdown|systemd-run|passwd|chpasswd|mount |umount)/);
    expect(readFileSync(`/srv/${MON_SRV}/config/app.conf`, "utf8")).toBe("keep\n");
    // and nothing was written into nixi's folder there
    expect(existsSync(join(remoteRoot, "etc/nixos/nixi"))).toBe(false);
  });

  it("read commands work on the monitored node", async () => {
    const r = await run(["service", "list", "--node", "mon", "--json"], { env: env() });
    expect(r.exitCode).toBe(0);
    const f = await run(["fw", "list", "--node", "mon,web", "--json"], { env: env() });
    expect(f.exitCode).toBe(0);
    expect(f.json.results.map((x: any) => x.ok)).toEqual([true, true]);
  });
});

describe("node setup", () => {
  it("writes node.nix on the node through its executor (sudo rules, runtime, NFS/SMB, /srv) and rebuilds there", async () => {
    rmSync(join(remoteRoot, "etc/nixos/nixi"), { recursive: true, force: true });
    const dry = await run(["node", "setup", "web", "--dry-run"], { env: env() });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("node.nix");
    expect(existsSync(join(remoteRoot, "etc/nixos/nixi"))).toBe(false);

    const noYes = await run(["node", "setup", "web"], { env: env() });
    expect(noYes.exitCode).toBe(3);

    const before = managed.fakeLines().length;
    const r = await run(["node", "setup", "web", "--yes", "--json"], { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expectEnvelope(r.json);
    expect(r.json.data).toMatchObject({ node: "web", runtime: "podman", rebuilt: true, changed: true });
    const file = join(remoteRoot, "etc/nixos/nixi/node.nix");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(join(remoteRoot, "etc/nixos/nixi/default.nix"), "utf8")).toContain("./node.nix");
    expect(managed.fakeLines().slice(before)).toContain("nixos-rebuild switch");
    const v = await evalModule(file);
    expect(checkOptionPaths(v)).toEqual([]);
    expect(v.virtualisation.podman).toEqual({ enable: true, defaultNetwork: { settings: { dns_enabled: true } } });
    expect(v.systemd.tmpfiles.rules).toEqual(["d /srv 0755 root root - -"]);
    // root logs in directly: no sudo rules needed
    expect(v.security).toBeUndefined();

    const again = await run(["node", "setup", "web", "--yes", "--json"], { env: env() });
    expect(again.exitCode).toBe(0);
    expect(again.json.changed).toBe(false);
  });

  it("for a non-root user: NOPASSWD rules limited to nixi's programs and paths, no blanket root", async () => {
    const { renderNodeSetup } = await import("../../src/nixos/node-setup.js");
    const { renderModule } = await import("../../src/nixos/render.js");
    const file = join(work, "node-nixi.nix");
    writeFileSync(file, renderModule(renderNodeSetup({ user: "nixi", runtime: "docker" })));
    const v = await evalModule(file);
    expect(checkOptionPaths(v)).toEqual([]);
    expect(v.virtualisation.docker).toEqual({ enable: true });
    expect(v.systemd.tmpfiles.rules).toEqual(["d /srv 0755 nixi root - -"]);
    const [rule] = v.security.sudo.extraRules;
    expect(rule.users).toEqual(["nixi"]);
    const cmds: string[] = rule.commands.map((c: any) => c.command);
    for (const c of rule.commands) expect(c.options).toEqual(["NOPASSWD"]);
    const progs = cmds.map((c) => c.split(" ")[0].split("/").pop());
    for (const p of ["nixos-rebuild", "systemctl", "docker", "nix-env", "nix-channel", "nix-store", "reboot", "tee", "nft", "iptables", "mkdir", "rm", "mount", "umount", "chmod", "chown", "passwd", "chpasswd", "systemd-run"]) {
      expect(progs, p).toContain(p);
    }
    expect(cmds).not.toContain("ALL");
    for (const p of ["sh", "bash", "env", "su", "sudo", "vi", "cp", "dd"]) expect(progs).not.toContain(p);
    // file programs are pinned to /srv and nixi's folder, with sudoers escaping (\, :, ,)
    const rm = cmds.find((c) => c.includes("/rm ^-rf"))!;
    expect(rm).toMatch(/^\/run\/current-system\/sw\/bin\/rm \^-rf -- \(\/srv\|\/etc\/nixos\/nixi\)/);
    const re = new RegExp(rm.slice(rm.indexOf(" ") + 1).replace(/\\\\/g, "\\").replace(/\\([,:=])/g, "$1"));
    expect(re.test("-rf -- /srv/web/data")).toBe(true);
    expect(re.test("-rf -- /etc/nixos/nixi/.state.toml.nixi-abc")).toBe(true);
    expect(re.test("-rf -- /etc/nixos/nixi/..state.toml")).toBe(false);
    expect(re.test("-rf -- /srv")).toBe(false);
    expect(re.test("-rf -- /srv/../etc")).toBe(false);
    expect(re.test("-rf -- /srv/x /etc")).toBe(false);
    expect(re.test("-rf -- /etc/shadow")).toBe(false);
    const nft = cmds.find((c) => c.includes("/nft "))!;
    expect(nft).toContain("list");
  });
});

describe("a change on a managed node", () => {
  it("fw open --node web: one SSH connection, nixi's files written there, one rebuild there; --json result", async () => {
    const sshdLog = () => readFileSync(join(managed.dir, "sshd.log"), "utf8").match(/Accepted publickey/g)?.length ?? 0;
    const logins = sshdLog();
    const rebuilds = managed.fakeLines().filter((l) => l.startsWith("nixos-rebuild switch")).length;
    // --no-safe-apply: one connection is the point here; safe apply's second login is test/remote/safe-apply.test.ts
    const r = await run(["fw", "open", "8080", "--node", "web", "--yes", "--json", "--no-safe-apply"], { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expectEnvelope(r.json);
    expect(r.json).toMatchObject({ ok: true, node: "web", changed: true });
    expect(sshdLog() - logins).toBe(1);
    expect(managed.fakeLines().filter((l) => l.startsWith("nixos-rebuild switch")).length - rebuilds).toBe(1);
    const nixi = join(remoteRoot, "etc/nixos/nixi");
    expect(readFileSync(join(nixi, "state.toml"), "utf8")).toMatch(/8080/);
    const fw = await evalModule(join(nixi, "firewall.nix"));
    expect(JSON.stringify(fw)).toContain("8080");
    // no temp files or lock left behind
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(nixi).filter((f) => f.includes(".nixi-") || f === ".lock")).toEqual([]);
  });
});

describe("a change as a non-root user", () => {
  it("privileged writes and the rebuild go through sudo -n (tee into a temp file, mv), nothing else is elevated", async () => {
    const { makeUser } = await import("../helpers/sshd.js");
    const { execFileSync } = await import("node:child_process");
    const u = makeUser("su", "x-" + process.pid);
    try {
      mkdirSync(join(u.home, ".ssh"), { recursive: true });
      writeFileSync(join(u.home, ".ssh/authorized_keys"), readFileSync(join(home, ".ssh/id_ed25519.pub")));
      const { chmodSync } = await import("node:fs");
      chmodSync(work, 0o755); // the test user must reach its tree (the keys stay in a 700 folder)
      const tree = join(work, "user-remote");
      mkdirSync(join(tree, "etc/nixos"), { recursive: true });
      writeFileSync(join(tree, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n"); // initialised
      execFileSync("chown", ["-R", u.name, join(u.home, ".ssh"), tree]);
      const node = await startSshd({ homeAuthorizedKeys: true, sudo: "ok" });
      const ucfg = join(work, "user-config.toml");
      writeFileSync(ucfg, `[ssh]\nconnect_timeout = 2\n[nixos]\ndir = "${tree}/etc/nixos/nixi"\nconfiguration = "${tree}/etc/nixos/configuration.nix"\n\n[[nodes]]\nname = "u"\nhost = "127.0.0.1"\nport = ${node.port}\nuser = "${u.name}"\n`);
      // --no-safe-apply: the direct `sudo -n nixos-rebuild switch` is what this checks
      const r = await run(["fw", "open", "443", "--node", "u", "--yes", "--json", "--no-safe-apply"], { env: { ...env(), NIXI_CONFIG: ucfg } });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(tree, "etc/nixos/nixi/state.toml"), "utf8")).toMatch(/443/);
      const sudo = node.calls().filter((c) => c.prog === "sudo").map((c) => c.args);
      for (const a of sudo) expect(a[0]).toBe("-n");
      const progs = new Set(sudo.map((a) => a[1]));
      expect(progs.has("tee")).toBe(true);
      expect(progs.has("mv")).toBe(true);
      expect(sudo.some((a) => a[1] === "nixos-rebuild" && a[2] === "switch")).toBe(true);
      // temp files are written next to their target and renamed over it
      const tee = sudo.filter((a) => a[1] === "tee").map((a) => a[3]);
      for (const t of tee) expect(t).toMatch(new RegExp(`^${tree}/etc/nixos/nixi/(\\.[a-z]+/)?\\.[^/]+\\.nixi-[0-9a-f]{12}$`));
      // every elevated program is one node setup's sudo rules allow
      const { sudoCommands } = await import("../../src/nixos/node-setup.js");
      const allowed = new Set(sudoCommands("/etc/nixos/nixi", "podman").map((c) => c.split(" ")[0].split("/").pop()));
      for (const a of sudo) expect(allowed.has(a[1]), a.join(" ")).toBe(true);
      // and node setup's rules for this nixi folder accept every elevated call as made (sudo matches
      // "prog args" against "prog ^regex$"; a rule without arguments allows any)
      const rules = sudoCommands(`${tree}/etc/nixos/nixi`, "podman").map((c) => {
        const sp = c.indexOf(" ");
        return { prog: (sp < 0 ? c : c.slice(0, sp)).split("/").pop()!, re: sp < 0 ? null : new RegExp(c.slice(sp + 1)) };
      });
      for (const a of sudo) {
        const ok = rules.some((r) => r.prog === a[1] && (r.re === null || r.re.test(a.slice(2).join(" "))));
        expect(ok, `sudo ${a.join(" ")}`).toBe(true);
      }
    } finally {
      u.remove();
    }
  });
});
