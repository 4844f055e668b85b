// Real OpenSSH servers (Debian openssh-server) as test nodes: on loopback ports, or inside a
// network namespace this helper creates (veth pair, a private /24 only these tests use).
// Each node gets a fake bin folder first on its PATH (via sshd's SetEnv) whose programs log argv,
// and the project's test/fakes after it. Everything started here is stopped by PID; namespaces
// and users created here are deleted by cleanup().
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, chmodSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const FAKES = resolve(import.meta.dirname, "../fakes");
const SSHD = "/usr/sbin/sshd";

export interface ClientKey {
  /** Private key path (public key at path + ".pub"). */
  path: string;
  publicKey: string;
}

/** A fresh ed25519 key pair (no passphrase). */
export function makeKey(dir: string, name = "id_ed25519", type: "ed25519" | "rsa" = "ed25519"): ClientKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  if (!existsSync(path)) execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", `nixi-test-${name}`, "-f", path]);
  return { path, publicKey: readFileSync(path + ".pub", "utf8").trim() };
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolveP, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const port = (s.address() as any).port;
      s.close(() => resolveP(port));
    });
  });
}

/** Resolves once host:port accepts TCP (bounded). */
export async function waitPort(host: string, port: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end && i < 500; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host, port });
      s.once("connect", () => {
        s.destroy();
        r(true);
      });
      s.once("error", () => r(false));
      s.setTimeout(500, () => {
        s.destroy();
        r(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd on ${host}:${port} did not start within ${ms} ms`);
}

/** One logged call of a fake program: argv exactly as received (NUL-separated log). */
export interface FakeCall {
  prog: string;
  args: string[];
}

/** Parse the NUL log written by the `_log` fake: count \0 prog \0 args... */
export function parseFakeLog(path: string): FakeCall[] {
  if (!existsSync(path)) return [];
  const f = readFileSync(path, "utf8").split("\0");
  const calls: FakeCall[] = [];
  let i = 0;
  while (i < f.length - 1) {
    const n = Number(f[i]);
    if (!Number.isInteger(n)) throw new Error(`bad fake log at field ${i}: ${JSON.stringify(f[i])}`);
    calls.push({ prog: f[i + 1], args: f.slice(i + 2, i + 2 + n) });
    i += 2 + n;
  }
  return calls;
}

const LOGGER = (log: string) => `#!/bin/sh
# logs its argv byte-exact (NUL-separated) to ${log}
printf '%s\\0' "$#" "$(basename "$0")" "$@" >> '${log}'
`;

export interface SshdOptions {
  /** Listen address (127.0.0.1 for loopback nodes; the namespace side address for netns nodes). */
  host?: string;
  port?: number;
  /** Run sshd inside this namespace (see Netns). */
  netns?: string;
  /** Public keys allowed to log in (root, via an AuthorizedKeysFile in the temp folder). */
  authorizedKeys?: string[];
  /** Use %h/.ssh/authorized_keys instead (for the adopt-by-password test user). */
  homeAuthorizedKeys?: boolean;
  passwordAuthentication?: boolean;
  /** Extra lines for sshd_config. */
  extraConfig?: string[];
  /** Names of extra logging fake programs for the node's bin folder (besides printargs). */
  loggers?: string[];
  /** A fake sudo in the node's bin folder: "ok" runs the command, "password" prints sudo's -n error. */
  sudo?: "ok" | "password";
  /** Reuse this host key file (to restart with the same key); default: a new ed25519 key. */
  hostKey?: string;
  /** Extra environment for commands on the node (e.g. NIX_PATH), added to sshd's SetEnv. */
  env?: Record<string, string>;
}

export interface Sshd {
  host: string;
  port: number;
  dir: string;
  pid: number;
  hostKey: string;
  /** Folder first on the node's PATH. */
  bin: string;
  /** NUL log written by printargs and other loggers. */
  callLog: string;
  /** Log of test/fakes programs (NIXI_FAKE_LOG format: prog + %q-quoted args a line). */
  fakeLog: string;
  /** Calls logged so far (NUL log). */
  calls(): FakeCall[];
  fakeLines(): string[];
  authorizedKeys: string;
  stop(): Promise<void>;
  opts: SshdOptions;
}

const started = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (opts.netns ? 22 : await freePort(host));
  const dir = mkdtempSync(join(tmpdir(), "nixi-sshd-"));
  tempDirs.add(dir);
  chmodSync(dir, 0o755);
  const hostKey = opts.hostKey ?? join(dir, "host_ed25519");
  if (!existsSync(hostKey)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const callLog = join(dir, "calls.log");
  const fakeLog = join(dir, "fake.log");
  // the logs are written by whichever user the test logs in as
  for (const log of [callLog, fakeLog]) {
    writeFileSync(log, "");
    chmodSync(log, 0o666);
  }
  for (const name of ["printargs", ...(opts.loggers ?? [])]) {
    writeFileSync(join(bin, name), LOGGER(callLog), { mode: 0o755 });
  }
  writeFileSync(join(bin, "nixos-version"), `#!/bin/sh\n[ "$#" = 0 ] || { echo "FAKE nixos-version: unsupported argument: $1" >&2; exit 99; }\necho "25.05.20250612.0000000 (Warbler)"\n`, { mode: 0o755 });
  if (opts.sudo) {
    // A stand-in for sudo (absent here; the host's sudoers is not ours to edit): accepts only -n,
    // optional VAR=value words, then the command; logs the call like the other loggers.
    writeFileSync(
      join(bin, "sudo"),
      `#!/bin/sh
printf '%s\\0' "$#" sudo "$@" >> '${callLog}'
[ "$1" = -n ] || { echo "FAKE sudo: nixi must always pass -n (got: $1)" >&2; exit 99; }
shift
${opts.sudo === "password" ? 'echo "sudo: a password is required" >&2; exit 1' : 'while [ $# -gt 0 ]; do case "$1" in *=*) export "$1"; shift ;; *) break ;; esac; done\nexec "$@"'}
`,
      { mode: 0o755 },
    );
  }
  const authorizedKeys = join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, (opts.authorizedKeys ?? []).map((k) => k + "\n").join(""), { mode: 0o600 });
  const path = `${bin}:${FAKES}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`;
  const config = [
    // first: sshd keeps the first value it reads for an option, so these override the defaults below
    ...(opts.extraConfig ?? []),
    `ListenAddress ${host}:${port}`,
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${opts.homeAuthorizedKeys ? ".ssh/authorized_keys" : authorizedKeys}`,
    "UsePAM no",
    "StrictModes no",
    "PermitRootLogin prohibit-password",
    `PasswordAuthentication ${opts.passwordAuthentication ? "yes" : "no"}`,
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "LogLevel VERBOSE",
    "MaxStartups 200",
    "MaxSessions 20",
    "X11Forwarding no",
    "PrintMotd no",
    // HOME in the temp folder: root's own ~/.bashrc (sourced by bash for every ssh command) is not ours
    `SetEnv PATH=${path} NIXI_FAKE_LOG=${fakeLog}${opts.homeAuthorizedKeys ? "" : ` HOME=${dir}`}${Object.entries(opts.env ?? {}).map(([k, v]) => ` ${JSON.stringify(`${k}=${v}`)}`).join("")}`,
  ];
  const configPath = join(dir, "sshd_config");
  writeFileSync(configPath, config.join("\n") + "\n");
  const argv = [SSHD, "-D", "-f", configPath, "-E", join(dir, "sshd.log")];
  const child = opts.netns ? spawn("ip", ["netns", "exec", opts.netns, ...argv], { stdio: "ignore" }) : spawn(argv[0], argv.slice(1), { stdio: "ignore" });
  started.add(child);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    started.delete(child);
  });
  try {
    await waitPort(host, port);
  } catch (e) {
    child.kill("SIGKILL");
    const log = existsSync(join(dir, "sshd.log")) ? readFileSync(join(dir, "sshd.log"), "utf8") : "";
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  const node: Sshd = {
    host,
    port,
    dir,
    pid: child.pid!,
    hostKey,
    bin,
    callLog,
    fakeLog,
    authorizedKeys,
    opts,
    calls: () => parseFakeLog(callLog),
    fakeLines: () => (existsSync(fakeLog) ? readFileSync(fakeLog, "utf8").split("\n").filter(Boolean) : []),
    stop: async () => {
      if (exited) return;
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
        }, 2000);
        child.once("exit", () => {
          clearTimeout(t);
          r();
        });
        child.kill("SIGTERM");
      });
    },
  };
  return node;
}

/** Kill every sshd this process started (by PID). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...started].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(resolve, 2000);
          c.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
          try {
            c.kill("SIGKILL");
          } catch {
            clearTimeout(t);
            resolve();
          }
        }),
    ),
  );
  started.clear();
}

export interface Netns {
  name: string;
  /** Address of the node inside the namespace. */
  address: string;
  /** Address of the host end. */
  hostAddress: string;
  /** Drop every incoming packet inside the namespace (a real connect timeout). */
  drop(): void;
  /** Remove the drop rule. */
  undrop(): void;
  remove(): void;
}

const createdNs = new Set<string>();

/**
 * A namespace with a veth pair on 10.213.<subnet>.0/24 (host .1, namespace .2).
 * `subnet` must be unique per test file (files run in parallel).
 */
export function makeNetns(tag: string, subnet: number): Netns {
  const name = `nixi-${tag}-${process.pid}`.slice(0, 30);
  const veth = `nx${subnet}h${process.pid % 100000}`.slice(0, 15);
  const hostAddress = `10.213.${subnet}.1`;
  const address = `10.213.${subnet}.2`;
  const ip = (...a: string[]) => execFileSync("ip", a, { stdio: "pipe" });
  ip("netns", "add", name);
  createdNs.add(name);
  try {
    ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name);
    ip("addr", "add", `${hostAddress}/24`, "dev", veth);
    ip("link", "set", veth, "up");
    ip("netns", "exec", name, "ip", "addr", "add", `${address}/24`, "dev", "eth0");
    ip("netns", "exec", name, "ip", "link", "set", "eth0", "up");
    ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
  } catch (e) {
    removeNs(name);
    throw e;
  }
  const nft = (script: string) => execFileSync("ip", ["netns", "exec", name, "nft", "-f", "-"], { input: script, stdio: ["pipe", "pipe", "pipe"] });
  return {
    name,
    address,
    hostAddress,
    drop: () => nft("table inet nixitest {\n chain in {\n  type filter hook input priority 0; policy drop;\n }\n}\n"),
    undrop: () => nft("delete table inet nixitest\n"),
    remove: () => removeNs(name),
  };
}

function removeNs(name: string): void {
  try {
    // deleting the namespace removes eth0 and, with it, the host end of the veth pair
    execFileSync("ip", ["netns", "del", name], { stdio: "pipe" });
  } catch {
    /* already gone */
  }
  createdNs.delete(name);
}

/** A throwaway local user with a password and a home in a temp folder (for adopt by password). */
export interface TestUser {
  name: string;
  home: string;
  password: string;
  remove(): void;
}

export function makeUser(tag: string, password: string): TestUser {
  const name = `nx${tag}${process.pid % 100000}`.slice(0, 30);
  const home = mkdtempSync(join(tmpdir(), "nixi-home-"));
  chmodSync(home, 0o755);
  execFileSync("useradd", ["-M", "-d", home, "-s", "/bin/sh", name], { stdio: "pipe" });
  execFileSync("chown", [name, home]);
  execFileSync("chpasswd", [], { input: `${name}:${password}\n`, stdio: ["pipe", "pipe", "pipe"] });
  return {
    name,
    home,
    password,
    remove: () => {
      try {
        execFileSync("userdel", [name], { stdio: "pipe" });
      } catch {
        /* gone */
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Stop sshds and delete namespaces created by this process. */
export async function cleanup(): Promise<void> {
  await stopAll();
  for (const ns of [...createdNs]) removeNs(ns);
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

export interface InventoryNode {
  name: string;
  port: number;
  host?: string;
  user?: string;
  mode?: "managed" | "monitored";
}

/**
 * A node-side tree under `work` (etc/nixos/configuration.nix importing ./nixi) and a config.toml whose
 * [nixos] points there and whose inventory lists `nodes` (loopback sshd ports by default).
 * Returns the config file and the tree.
 */
export function writeInventory(work: string, nodes: InventoryNode[], tree = join(work, "remote")): { cfg: string; tree: string } {
  mkdirSync(join(tree, "etc/nixos"), { recursive: true });
  writeFileSync(join(tree, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
  const cfg = join(work, "config.toml");
  const entries = nodes.map(
    (n) => `\n[[nodes]]\nname = "${n.name}"\nhost = "${n.host ?? "127.0.0.1"}"\nport = ${n.port}\nuser = "${n.user ?? "root"}"\n${n.mode ? `mode = "${n.mode}"\n` : ""}`,
  );
  writeFileSync(cfg, `[ssh]\nconnect_timeout = 3\n[nixos]\ndir = "${tree}/etc/nixos/nixi"\nconfiguration = "${tree}/etc/nixos/configuration.nix"\n` + entries.join(""));
  return { cfg, tree };
}
