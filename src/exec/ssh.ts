// The SSH executor: one ssh2 connection per node per invocation, key authentication only,
// nixi's own known_hosts (accept-new; a changed key is refused), POSIX-quoted remote command
// lines, `sudo -n` for privileged calls, and file operations done with plain remote commands
// (cat, tee, mv, stat, find, mkdir, rm, chmod) so they work through a narrow sudoers policy.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, posix } from "node:path";
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import type { Client, ClientChannel, ConnectConfig } from "ssh2";
import type { BatchOp, BatchOptions, BatchResult, Executor, FileStat, RunOptions, RunResult, WriteOptions } from "../core/executor.js";
import { batchIsReadOnly, parseSshBatch, sshBatchScript } from "./batch.js";
import type { NodeEntry } from "../core/config.js";
import { NixiError } from "../core/errors.js";
import { Semaphore } from "../core/pool.js";
import { shAssign, shJoin, shQuote } from "./quote.js";
import { addHostKey, hostPattern, keyTypeOf, lookupHost, type HostKey } from "./known-hosts.js";
import { registerSecretFile } from "./secret-files.js";
import { namedExports } from "../core/lazy-import.js";

export interface SshOptions {
  /** nixi's known_hosts file. */
  knownHosts: string;
  connectTimeoutMs: number;
  /** Default timeout for run() when the caller gives none (0 = none). */
  commandTimeoutMs: number;
  /** ssh.identity from config.toml (tried after the node's own identity). */
  identity?: string;
  env: NodeJS.ProcessEnv;
  /** Bootstrap only (`node adopt`): authenticate with this password instead of keys. */
  password?: string;
  /** Debug log (verbose). */
  debug?: (message: string) => void;
}

/** Where keys come from, in the order they are tried. */
export function identityCandidates(node: Pick<NodeEntry, "identity">, configIdentity: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  const expand = (p: string) => (p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p);
  const list = [node.identity, configIdentity, "~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"]
    .filter((p): p is string => typeof p === "string" && p !== "")
    .map(expand);
  return [...new Set(list)];
}

const SUDO_PASSWORD = /sudo: (a password is required|a terminal is required|no tty present)/;
const SUDO_DENIED = /sudo: (sorry, user .* is not allowed to execute|.* is not in the sudoers file)|is not allowed to run sudo/;
const NO_SUCH = /No such file or directory|Not a directory/;
const DENIED = /Permission denied|Operation not permitted/;

type ConnectFailure = { code: "HOST_KEY_CHANGED" | "UNREACHABLE" | "AUTH_FAILED"; message: string; hint?: string };

export class SshExecutor implements Executor {
  readonly node: string;
  readonly description: string;
  private conn?: Promise<Client>;
  private client?: Client;
  private closed = false;
  /** sshd allows 10 sessions per connection by default (MaxSessions). */
  private readonly channels = new Semaphore(8);
  /** Exec channels opened so far (issue 11: a change costs a bounded number of them). */
  private execs = 0;
  /** Keys nixi tried (paths, "agent"), for error messages. */
  private tried: string[] = [];
  /** Set when this connection recorded a new host key in known_hosts. */
  newHostKey?: HostKey;
  /** The host key the server presented. */
  hostKey?: HostKey;

  constructor(
    readonly target: Pick<NodeEntry, "name" | "host" | "user" | "port" | "identity">,
    private readonly opts: SshOptions,
  ) {
    this.node = target.name;
    this.description = `ssh ${target.user}@${target.host}:${target.port}`;
  }

  private get isRoot(): boolean {
    return this.target.user === "root";
  }

  private where(): string {
    return `${this.target.user}@${this.target.host}:${this.target.port}`;
  }

  // ---------------------------------------------------------------- connection

  /** Connect (once); later calls share the same connection or the same failure. */
  connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new NixiError("FAILED", `connection to ${this.node} already closed`));
    if (!this.conn) {
      this.conn = this.open();
      this.conn.catch(() => undefined);
    }
    return this.conn;
  }

  private async authMethods(username: string): Promise<any[]> {
    if (this.opts.password !== undefined) {
      const password = this.opts.password;
      this.tried = ["password"];
      return [
        { type: "password", username, password },
        {
          type: "keyboard-interactive",
          username,
          prompt: (_n: string, _i: string, _l: string, prompts: Array<{ prompt: string; echo?: boolean }>, finish: (a: string[]) => void) =>
            finish(prompts.map((p) => (p.echo ? "" : password))),
        },
      ];
    }
    const { utils } = await loadSsh2();
    const methods: any[] = [];
    this.tried = [];
    const sock = this.opts.env.SSH_AUTH_SOCK;
    if (sock) {
      methods.push({ type: "agent", username, agent: sock });
      this.tried.push("ssh-agent");
    }
    for (const path of identityCandidates(this.target, this.opts.identity, this.opts.env)) {
      let text: Buffer;
      try {
        text = await readFile(path);
      } catch {
        continue;
      }
      const parsed = utils.parseKey(text);
      if (parsed instanceof Error) {
        this.opts.debug?.(`${this.node}: skipping ${path}: ${parsed.message}`);
        continue;
      }
      methods.push({ type: "publickey", username, key: text });
      this.tried.push(path);
    }
    return methods;
  }

  private async open(): Promise<Client> {
    const { Client } = await loadSsh2();
    const { host, port, user } = this.target;
    const known = await lookupHost(this.opts.knownHosts, host, port);
    const methods = await this.authMethods(user);
    if (methods.length === 0) {
      throw new NixiError(
        "AUTH_FAILED",
        `no SSH key to log in to ${this.node} (${this.where()}): no ssh-agent (SSH_AUTH_SOCK) and no readable unencrypted key among ${identityCandidates(this.target, this.opts.identity, this.opts.env).join(", ")}`,
        "create one with `ssh-keygen -t ed25519`, or set identity in config.toml ([ssh] identity = \"...\" or per node)",
      );
    }
    const timeoutMs = Math.max(1, Math.round(this.opts.connectTimeoutMs));

    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let failure: ConnectFailure | undefined;
      let pendingKey: HostKey | undefined;
      let settled = false;
      const finish = (err?: NixiError) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (err) {
          client.destroy();
          reject(err);
        } else {
          this.client = client;
          resolve(client);
        }
      };
      // ssh2's readyTimeout covers TCP connect + handshake + auth; this guard only catches a stuck socket.
      const guard = setTimeout(() => {
        finish(this.unreachable(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs + 1000);

      const hostVerifier = (blob: Buffer): boolean => {
        const presented: HostKey = { type: keyTypeOf(blob), key: blob.toString("base64") };
        this.hostKey = presented;
        if (known.revoked.some((k) => k.key === presented.key)) {
          failure = { code: "HOST_KEY_CHANGED", message: `the host key of ${this.node} (${hostPattern(host, port)}) is marked @revoked in ${this.opts.knownHosts}` };
          return false;
        }
        if (known.keys.length === 0) {
          pendingKey = presented; // recorded after the key exchange proved the server holds it
          return true;
        }
        if (known.keys.some((k) => k.key === presented.key)) return true;
        failure = {
          code: "HOST_KEY_CHANGED",
          message:
            `WARNING: the host key of ${this.node} (${hostPattern(host, port)}) has CHANGED. ` +
            `Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key was replaced. ` +
            `Presented ${presented.type} key differs from the one recorded in ${this.opts.knownHosts}. nixi refused to connect and did not change the file.`,
          hint: `if the node was reinstalled on purpose, verify its new key out of band, then run \`nixi node remove ${this.node}\` and adopt it again`,
        };
        return false;
      };

      let recording: Promise<void> | undefined;
      client.on("handshake", () => {
        if (!pendingKey) return;
        const key = pendingKey;
        pendingKey = undefined;
        this.newHostKey = key;
        recording = addHostKey(this.opts.knownHosts, host, port, key).catch((e) => this.opts.debug?.(`cannot record host key: ${e.message}`));
      });
      // the new host key is on disk before the first command runs
      client.on("ready", () => void Promise.resolve(recording).then(() => finish()));
      client.on("error", (err: any) => finish(this.mapConnectError(err, failure, timeoutMs)));
      client.on("close", () => {
        if (!settled) {
          finish(this.mapConnectError(new Error("connection closed"), failure, timeoutMs));
        } else if (!this.closed) {
          // the server went away after login: later calls fail fast instead of using a dead client
          const dead = Promise.reject(this.unreachable("connection closed by the node"));
          dead.catch(() => undefined);
          this.conn = dead;
          this.client = undefined;
        }
      });

      let i = 0;
      const order = preferKnownTypes(known.keys.map((k) => k.type));
      const cfg: ConnectConfig = {
        host,
        port,
        username: user,
        readyTimeout: timeoutMs,
        keepaliveInterval: 15000,
        keepaliveCountMax: 3,
        hostVerifier,
        authHandler: ((_left: unknown, _partial: unknown, cb: (m: any) => void) => cb(i < methods.length ? methods[i++] : false)) as any,
        ...(order ? { algorithms: { serverHostKey: order as any } } : {}),
      };
      try {
        client.connect(cfg);
        // Nagle + delayed ACK cost ~40 ms per exec round trip, on any network (issue 11)
        (client as any)._sock?.setNoDelay?.(true);
      } catch (e: any) {
        finish(this.unreachable(e.message));
      }
    });
  }

  private unreachable(why: string): NixiError {
    return new NixiError(
      "UNREACHABLE",
      `node ${this.node} (${this.where()}) is unreachable: ${why}`,
      `check that the machine is up and sshd listens on port ${this.target.port}; the connect timeout is [ssh] connect_timeout in config.toml`,
    );
  }

  private mapConnectError(err: any, failure: ConnectFailure | undefined, timeoutMs: number): NixiError {
    if (failure) return new NixiError(failure.code, failure.message, failure.hint);
    const level = err?.level;
    const code = err?.code;
    if (level === "client-authentication") {
      if (this.opts.password !== undefined) {
        return new NixiError("AUTH_FAILED", `password login to ${this.node} (${this.where()}) was refused`, "check the user name and password, and that sshd allows password login for the bootstrap");
      }
      return new NixiError(
        "AUTH_FAILED",
        `SSH key authentication to ${this.node} (${this.where()}) failed (tried: ${this.tried.join(", ") || "nothing"})`,
        `install your public key on the node, e.g. \`${copyIdCommand(this.target, this.tried)}\`, or run \`nixi node adopt\` interactively`,
      );
    }
    if (level === "client-timeout") return this.unreachable(`no SSH handshake within ${timeoutMs / 1000} s`);
    if (code === "ECONNREFUSED") return this.unreachable("connection refused");
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || level === "client-dns") return this.unreachable(`cannot resolve ${this.target.host}`);
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return this.unreachable("no route to host");
    if (code === "ECONNRESET") return this.unreachable("connection reset");
    return this.unreachable(err?.message ?? String(err));
  }

  // ---------------------------------------------------------------- commands

  /** The remote command line for argv: env assignments, `sudo -n` when privileged, POSIX-quoted words. */
  commandLine(argv: string[], opts: Pick<RunOptions, "env" | "privileged" | "cwd"> = {}): string {
    if (!Array.isArray(argv) || argv.length === 0) throw new Error("run: empty argv");
    if (argv[0].startsWith("-")) throw new NixiError("INVALID_ARGUMENT", `"${argv[0]}" is not a program name`);
    const env = opts.env && Object.keys(opts.env).length ? shAssign(opts.env) : [];
    let line: string;
    if (opts.privileged && !this.isRoot) {
      line = ["sudo", "-n", ...env, shJoin(argv)].join(" ");
    } else {
      line = [...env, shJoin(argv)].join(" ");
    }
    if (opts.cwd) line = `cd ${shQuote(opts.cwd)} && ${line}`;
    return line;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const line = this.commandLine(argv, opts);
    const timeoutMs = opts.timeoutMs ?? (this.opts.commandTimeoutMs || undefined);
    const r = await this.exec(line, { input: opts.input, timeoutMs, onStdout: opts.onStdout, onStderr: opts.onStderr });
    if (opts.privileged && !this.isRoot && r.exitCode !== 0) this.checkSudo(r, argv);
    return r;
  }

  private checkSudo(r: RunResult, argv: string[]): void {
    if (SUDO_PASSWORD.test(r.stderr)) {
      throw new NixiError(
        "AUTH_FAILED",
        `sudo on ${this.node} asks ${this.target.user} for a password to run ${argv[0]}; nixi never types sudo passwords`,
        `run \`nixi node setup ${this.node}\` (it installs NOPASSWD sudo rules limited to what nixi runs), or add such a rule by hand`,
      );
    }
    if (SUDO_DENIED.test(r.stderr)) {
      throw new NixiError(
        "AUTH_FAILED",
        `sudo on ${this.node} does not allow ${this.target.user} to run ${argv[0]}`,
        `run \`nixi node setup ${this.node}\` to install nixi's sudo rules`,
      );
    }
    if (r.exitCode === 127 && /sudo: (command )?not found/.test(r.stderr)) {
      throw new NixiError("FAILED", `sudo is not installed on ${this.node}`, "log in as root (user = \"root\") or enable security.sudo on the node");
    }
  }

  /** Run a raw shell command line (already quoted). Internal: callers build it from constants and shQuote. */
  async exec(
    line: string,
    opts: { input?: string | Buffer; timeoutMs?: number; onStdout?: (chunk: string) => void; onStderr?: (chunk: string) => void } = {},
  ): Promise<RunResult> {
    const client = await this.connect();
    this.execs++;
    return this.channels.use(
      () =>
        new Promise<RunResult>((resolve, reject) => {
          client.exec(line, (err: Error | undefined, stream: ClientChannel) => {
            if (err) {
              reject(new NixiError("UNREACHABLE", `cannot open a session on ${this.node}: ${err.message}`));
              return;
            }
            const out: Buffer[] = [];
            const errb: Buffer[] = [];
            const dec = opts.onStdout ? new StringDecoder("utf8") : undefined;
            let code: number | null = null;
            let signal: string | undefined;
            let timedOut = false;
            let done = false;
            const timer =
              opts.timeoutMs && opts.timeoutMs > 0
                ? setTimeout(() => {
                    timedOut = true;
                    killChannel(client, stream);
                    // answer now: the caller's timeout must hold even if the node is slow to close the channel
                    done = true;
                    resolve({ exitCode: 124, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errb).toString("utf8"), timedOut: true });
                  }, opts.timeoutMs)
                : undefined;
            stream.on("data", (d: Buffer) => {
              out.push(d);
              if (dec && opts.onStdout) {
                const s = dec.write(d);
                if (s) opts.onStdout(s);
              }
            });
            const errDec = opts.onStderr ? new StringDecoder("utf8") : undefined;
            stream.stderr.on("data", (d: Buffer) => {
              errb.push(d);
              if (errDec && opts.onStderr) {
                const s = errDec.write(d);
                if (s) opts.onStderr(s);
              }
            });
            stream.on("exit", (c: number | null, sig?: string) => {
              code = c;
              signal = sig;
            });
            stream.on("close", () => {
              if (timer) clearTimeout(timer);
              if (done) return;
              const stdout = Buffer.concat(out).toString("utf8");
              const stderr = Buffer.concat(errb).toString("utf8");
              if (timedOut) {
                resolve({ exitCode: 124, stdout, stderr, timedOut: true });
                return;
              }
              if (code === null && signal === undefined) {
                reject(this.unreachable("connection lost while a command was running"));
                return;
              }
              const exitCode = code ?? 128 + (SIGNALS[signal ?? ""] ?? 0);
              resolve({ exitCode, stdout, stderr, ...(exitCode === 127 ? { notFound: true } : {}) });
            });
            stream.on("error", () => undefined);
            if (opts.input !== undefined) stream.end(opts.input);
            else stream.end();
          });
        }),
    );
  }

  async which(program: string): Promise<string | null> {
    const r = await this.exec(`command -v ${shQuote(program)}`);
    const p = r.stdout.trim().split("\n")[0] ?? "";
    return r.exitCode === 0 && p.startsWith("/") ? p : null;
  }

  // ---------------------------------------------------------------- files

  private checkPath(path: string): void {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new NixiError("INVALID_ARGUMENT", `"${path}" is not an absolute path`);
    }
  }

  /** Run a file command; retried with `sudo -n` on a permission error when not root. */
  private async fileCmd(argv: string[], privileged = false): Promise<RunResult> {
    // LC_ALL=C for parseable messages; sudo keeps LC_* by default (env_keep), so no SETENV is needed.
    const once = (priv: boolean) =>
      this.exec(`export LC_ALL=C; ${this.commandLine(argv, { privileged: priv })}`, { timeoutMs: this.opts.commandTimeoutMs || undefined });
    let priv = privileged;
    let r = await once(priv);
    if (r.exitCode !== 0 && !priv && !this.isRoot && DENIED.test(r.stderr)) r = await once((priv = true));
    if (r.exitCode !== 0 && priv && !this.isRoot) this.checkSudo(r, argv);
    return r;
  }

  private fail(what: string, path: string, r: RunResult): never {
    const msg = r.stderr.trim().split("\n").pop() || `exit ${r.exitCode}`;
    throw new NixiError("FAILED", `${what} ${path} on ${this.node} failed: ${msg}`);
  }

  async readFile(path: string): Promise<string | null> {
    this.checkPath(path);
    const r = await this.fileCmd(["cat", "--", path]);
    if (r.exitCode === 0) {
      registerSecretFile(path, r.stdout);
      return r.stdout;
    }
    if (NO_SUCH.test(r.stderr)) return null;
    this.fail("reading", path, r);
  }

  async writeFile(path: string, content: string, opts: WriteOptions = {}): Promise<void> {
    this.checkPath(path);
    const dir = posix.dirname(path);
    // one leading dot only (".state.toml.nixi-…", ".rebuild.log.nixi-…"): node setup's sudo rules refuse ".." segments
    const tmp = posix.join(dir, `.${posix.basename(path).replace(/^\.+/, "")}.nixi-${randomBytes(6).toString("hex")}`);
    const mode = ((opts.mode ?? 0o644) & 0o7777).toString(8);
    const attempt = async (privileged: boolean) => {
      const s = privileged && !this.isRoot ? "sudo -n " : "";
      const q = shQuote;
      // mkdir with the default umask; the temp file is created 600 (umask 077), gets its mode, then
      // replaces the target by rename, so readers see the old or the new file, never a partial one.
      const line =
        `export LC_ALL=C; ${s}mkdir -p -- ${q(dir)} && ` +
        `{ (umask 077 && ${s}tee -- ${q(tmp)} >/dev/null) && ${s}chmod ${mode} -- ${q(tmp)} && ${s}mv -f -- ${q(tmp)} ${q(path)} ` +
        `|| { rc=$?; ${s}rm -f -- ${q(tmp)}; exit $rc; }; }`;
      return this.exec(line, { input: content, timeoutMs: this.opts.commandTimeoutMs || undefined });
    };
    const privileged = !!opts.privileged;
    let r = await attempt(privileged);
    if (r.exitCode !== 0 && !privileged && !this.isRoot && DENIED.test(r.stderr)) r = await attempt(true);
    if (r.exitCode !== 0) {
      if (!this.isRoot) this.checkSudo(r, ["tee"]);
      this.fail("writing", path, r);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    this.checkPath(path);
    const r = await this.fileCmd(["stat", "-c", "%f %s %Y", "--", path]);
    if (r.exitCode !== 0) {
      if (NO_SUCH.test(r.stderr)) return null;
      this.fail("stat of", path, r);
    }
    const [hex, size, mtime] = r.stdout.trim().split(" ");
    const raw = parseInt(hex, 16);
    const fmt = raw & 0o170000;
    const type = fmt === 0o100000 ? "file" : fmt === 0o040000 ? "dir" : fmt === 0o120000 ? "symlink" : "other";
    return { type, size: Number(size), mode: raw & 0o7777, mtimeMs: Number(mtime) * 1000 };
  }

  async realpath(path: string): Promise<string | null> {
    this.checkPath(path);
    const r = await this.fileCmd(["realpath", "-e", "--", path]);
    if (r.exitCode === 0) return r.stdout.replace(/\n$/, "");
    if (NO_SUCH.test(r.stderr)) return null;
    this.fail("resolving", path, r);
  }

  async readdir(path: string): Promise<string[]> {
    this.checkPath(path);
    const r = await this.fileCmd(["find", path, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"]);
    if (r.exitCode !== 0) {
      if (NO_SUCH.test(r.stderr)) return [];
      this.fail("listing", path, r);
    }
    return r.stdout.split("\0").filter((s) => s !== "").sort();
  }

  async mkdir(path: string, opts: { exclusive?: boolean; mode?: number; privileged?: boolean } = {}): Promise<boolean> {
    this.checkPath(path);
    const m = opts.mode !== undefined ? ["-m", (opts.mode & 0o7777).toString(8)] : [];
    if (opts.exclusive) {
      const parent = posix.dirname(path);
      const p = await this.fileCmd(["mkdir", "-p", "--", parent], opts.privileged);
      if (p.exitCode !== 0) this.fail("creating", parent, p);
      const r = await this.fileCmd(["mkdir", ...m, "--", path], opts.privileged);
      if (r.exitCode === 0) return true;
      if (/File exists/.test(r.stderr)) return false;
      this.fail("creating", path, r);
    }
    const r = await this.fileCmd(["mkdir", "-p", ...m, "--", path], opts.privileged);
    if (r.exitCode !== 0) this.fail("creating", path, r);
    return true;
  }

  async remove(path: string, opts: { recursive?: boolean; privileged?: boolean } = {}): Promise<void> {
    this.checkPath(path);
    if (posix.normalize(path) === "/") throw new NixiError("POLICY", "refusing to remove /");
    const r = await this.fileCmd(["rm", opts.recursive ? "-rf" : "-f", "--", path], opts.privileged);
    if (r.exitCode !== 0) this.fail("removing", path, r);
  }

  async rename(from: string, to: string): Promise<void> {
    this.checkPath(from);
    this.checkPath(to);
    const r = await this.fileCmd(["mv", "-f", "-T", "--", from, to]);
    if (r.exitCode !== 0) this.fail("renaming", `${from} to ${to}`, r);
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.checkPath(path);
    const r = await this.fileCmd(["chmod", (mode & 0o7777).toString(8), "--", path]);
    if (r.exitCode !== 0) this.fail("chmod of", path, r);
  }

  /** The whole batch in one exec channel (src/exec/batch.ts). A read-only batch that hit a permission
   *  error is run again with `sudo -n`, like single reads. */
  async batch(ops: BatchOp[], opts: BatchOptions = {}): Promise<BatchResult[]> {
    for (const o of ops) for (const p of o.op === "link" || o.op === "rename" ? [o.from, o.to] : [o.path]) this.checkPath(p);
    if (ops.length === 0) return [];
    const once = async (priv: boolean) => {
      const script = sshBatchScript(ops, priv && !this.isRoot ? "sudo -n " : "");
      const r = await this.exec(script.line, { input: script.input, timeoutMs: this.opts.commandTimeoutMs || undefined });
      if (priv && !this.isRoot && r.exitCode !== 0) this.checkSudo(r, ["sh"]);
      const results = parseSshBatch(ops, script, r.stdout, r.stderr);
      if (priv && !this.isRoot) {
        const bad = results.find((x) => x.error && (SUDO_PASSWORD.test(x.error) || SUDO_DENIED.test(x.error)));
        if (bad) this.checkSudo({ exitCode: 1, stdout: "", stderr: bad.error! }, ["a file command"]);
      }
      return results;
    };
    const privileged = !!opts.privileged;
    let results = await once(privileged);
    // optional steps run without sudo either way (batch.ts): only a denied required step is worth a second call
    const deniedRequired = results.some((x, i) => x.error && DENIED.test(x.error) && !("optional" in ops[i] && ops[i].optional));
    if (!privileged && !this.isRoot && batchIsReadOnly(ops) && deniedRequired) results = await once(true);
    return results;
  }

  execCount(): number {
    return this.execs;
  }

  async close(): Promise<void> {
    this.closed = true;
    // a connection still being opened is waited for, so no socket outlives the invocation
    if (!this.client && this.conn) await this.conn.catch(() => undefined);
    const c = this.client;
    this.client = undefined;
    if (c) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          c.destroy();
          resolve();
        }, 1000);
        c.once("close", () => {
          clearTimeout(t);
          resolve();
        });
        c.end();
      });
    }
  }
}

/**
 * Kill a remote command: an SSH "signal" request (OpenSSH >= 7.9 sends it to the session's process
 * group), then close the channel. ssh2's Channel.signal() refuses once stdin was closed, so the
 * request goes through the protocol object directly.
 */
function killChannel(client: Client, stream: ClientChannel): void {
  try {
    const proto = (client as any)._protocol;
    const id = (stream as any).outgoing?.id;
    const state = (stream as any).outgoing?.state;
    if (proto && typeof id === "number" && (state === "open" || state === "eof")) proto.signal(id, "KILL");
  } catch {
    /* the channel is going away anyway */
  }
  try {
    stream.close();
  } catch {
    /* already closed */
  }
}

/** ssh2 is CommonJS (kept outside the bundle). */
function loadSsh2(): Promise<typeof import("ssh2")> {
  return namedExports(import("ssh2"));
}

/** Host key algorithms with the types already known for this host first (RSA keys sign with SHA-2). */
function preferKnownTypes(types: string[]): string[] | undefined {
  if (types.length === 0) return undefined;
  const all = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  const first: string[] = [];
  for (const t of types) {
    if (t === "ssh-rsa") first.push("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");
    else if (all.includes(t)) first.push(t);
  }
  return [...new Set([...first, ...all])];
}

/** The command a person runs to install their key on a node. */
export function copyIdCommand(target: Pick<NodeEntry, "host" | "user" | "port">, keys: string[]): string {
  const key = keys.find((k) => k.startsWith("/")) ?? "~/.ssh/id_ed25519";
  return `ssh-copy-id -i ${shQuote(key + ".pub")}${target.port !== 22 ? ` -p ${target.port}` : ""} ${shQuote(`${target.user}@${target.host}`)}`;
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };
