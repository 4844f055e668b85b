import { defineCommand } from "../../core/command.js";
import type { Ctx } from "../../core/context.js";
import type { NodeEntry, NodeMode } from "../../core/config.js";
import { NixiError } from "../../core/errors.js";
import { HostName, NodeName, Port, UserName } from "../../nodes/inventory.js";
import { namedExports } from "../../core/lazy-import.js";

interface AdoptInput {
  name: string;
  host: string;
  user?: string;
  mode?: NodeMode;
  port?: number;
  identity?: string;
}

export interface AdoptData {
  name: string;
  host: string;
  user: string;
  port: number;
  mode: NodeMode;
  /** How the first login worked: an existing key, or the password once to install the key. */
  auth: "key" | "password-bootstrap";
  hostKey: { type: string; fingerprint: string; recorded: boolean } | null;
  nixosVersion: string | null;
  config: string;
}

function entryOf(input: AdoptInput): NodeEntry {
  return {
    name: input.name,
    host: input.host,
    user: input.user ?? "nixi",
    port: input.port ?? 22,
    mode: input.mode ?? "managed",
    ...(input.identity ? { identity: input.identity } : {}),
  };
}

async function fingerprint(key: string): Promise<string> {
  const { fingerprintOf } = await import("../../users/sshkeys.js");
  return fingerprintOf(Buffer.from(key, "base64"));
}

/** The controller's key pair to install: the first candidate with a .pub next to it. */
async function controllerKey(ctx: Ctx, entry: NodeEntry): Promise<{ path: string; publicKey: string } | null> {
  const { identityCandidates } = await import("../../exec/ssh.js");
  const { readFile } = await import("node:fs/promises");
  for (const path of identityCandidates(entry, ctx.config.ssh.identity, ctx.env)) {
    try {
      await readFile(path);
      const publicKey = (await readFile(path + ".pub", "utf8")).trim();
      if (/^(ssh-|ecdsa-|sk-)[a-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$/.test(publicKey) && !publicKey.includes("\n")) return { path, publicKey };
    } catch {
      /* next */
    }
  }
  return null;
}

/** Log in with keys only and read the NixOS version. */
async function probeWithKey(ctx: Ctx, entry: NodeEntry) {
  const { sshExecutor } = await import("../../exec/targets.js");
  const ex = await sshExecutor(entry, ctx.config, ctx.env, ctx.debug);
  try {
    const r = await ex.run(["nixos-version"], { readOnly: true, timeoutMs: 30_000 });
    return { version: r.exitCode === 0 ? r.stdout.trim() || null : null, hostKey: ex.hostKey ?? null, recorded: !!ex.newHostKey };
  } finally {
    await ex.close();
  }
}

// Appends the key read from stdin to ~/.ssh/authorized_keys once, with 700/600 modes, ending the
// file with a newline first when needed. Runs in the user's login shell (POSIX sh syntax).
const INSTALL_KEY =
  'umask 077 && k=$(cat) && d="$HOME/.ssh" && f="$d/authorized_keys" && mkdir -p "$d" && chmod 700 "$d" && touch "$f" && chmod 600 "$f" && ' +
  '{ grep -qxF "$k" "$f" || { if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then echo >> "$f"; fi; printf \'%s\\n\' "$k" >> "$f"; }; }';

export default defineCommand<AdoptInput, AdoptData>({
  path: ["node", "adopt"],
  summary: "Add a machine to the inventory (installs your SSH key once if needed)",
  description:
    "Logs in with an SSH key (ssh-agent, --identity, [ssh] identity, ~/.ssh/id_ed25519, id_ecdsa, id_rsa). " +
    "When no key works and a terminal is present, asks once for the node's password and uses it only to append your public key " +
    "to the node's ~/.ssh/authorized_keys, then checks that key login works. The password is never stored, logged or put on a command line. " +
    "The node's host key is recorded in nixi's known_hosts on first contact.",
  risk: "change",
  controllerOnly: true,
  createsConfig: true,
  args: [
    { name: "name", description: "name for the node (used with --node)", schema: NodeName },
    { name: "host", description: "DNS name or IP address", schema: HostName },
  ],
  flags: {
    user: { type: "string", description: "SSH user on the node (default nixi)", placeholder: "USER", schema: UserName },
    mode: { type: "string", description: "managed (nixi changes it) or monitored (read-only)", choices: ["managed", "monitored"], placeholder: "MODE" },
    port: { type: "string", description: "SSH port (default 22)", placeholder: "PORT", schema: Port },
    identity: { type: "string", description: "private key file for this node", placeholder: "FILE" },
  },
  examples: ["nixi node adopt web1 10.0.0.5", "nixi node adopt db db.lan --user admin --mode monitored", "nixi node adopt edge 192.0.2.7 --port 2222 --identity ~/.ssh/fleet_ed25519"],
  jsonFields: ["name", "host", "user", "port", "mode", "auth", "hostKey", "nixosVersion", "config"],

  async plan(ctx, input) {
    const entry = entryOf(input);
    const existing = ctx.config.nodes.find((n) => n.name === entry.name);
    if (existing) {
      throw new NixiError("INVALID_ARGUMENT", `node "${entry.name}" is already in ${ctx.config.path} (${existing.user}@${existing.host}:${existing.port})`, `remove it first with \`nixi node remove ${entry.name}\``);
    }
    const { readText, addNode } = await import("../../nodes/inventory.js");
    const before = await readText(ctx.config.path);
    const after = await addNode(before, entry);
    const { createTwoFilesPatch } = await namedExports(import("diff"));
    const diff = createTwoFilesPatch(before === null ? "/dev/null" : ctx.config.path, ctx.config.path, before ?? "", after, "", "", { context: 3 })
      .split("\n")
      .filter((l) => !l.startsWith("====") && !l.startsWith("Index:"))
      .join("\n");
    return {
      summary: [
        `adopt node ${entry.name}: ${entry.user}@${entry.host}:${entry.port} (${entry.mode})`,
        `log in with an SSH key; without one, ask once for the password to install your public key`,
        `record its host key in ${ctx.config.ssh.knownHosts} (first contact)`,
        `add it to ${ctx.config.path}`,
      ],
      files: [{ path: ctx.config.path, action: before === null ? "create" : "modify", diff }],
      commands: [`ssh ${entry.user}@${entry.host} -p ${entry.port} nixos-version`],
      rebuild: false,
    };
  },

  async apply(ctx, input) {
    const entry = entryOf(input);
    let auth: AdoptData["auth"] = "key";
    let probe;
    try {
      probe = await probeWithKey(ctx, entry);
    } catch (e) {
      if (!(e instanceof NixiError) || e.code !== "AUTH_FAILED") throw e;
      const key = await controllerKey(ctx, entry);
      const { copyIdCommand } = await import("../../exec/ssh.js");
      const fix = copyIdCommand(entry, key ? [key.path] : []);
      if (!key) {
        throw new NixiError("AUTH_FAILED", `no SSH key pair to install on ${entry.name}: no private key with a .pub next to it`, `create one with \`ssh-keygen -t ed25519\`, then run \`${fix}\` or adopt again interactively`);
      }
      if (!ctx.interactive) {
        throw new NixiError(
          "AUTH_FAILED",
          `cannot log in to ${entry.name} (${entry.user}@${entry.host}:${entry.port}) with an SSH key, and there is no terminal to ask for a password`,
          `install your key first: \`${fix}\`, then run this command again`,
        );
      }
      ctx.log(`key login to ${entry.user}@${entry.host} failed; the password is used once to install ${key.path}.pub and is not stored`);
      let password: string | undefined = await ctx.prompter.password(`Password for ${entry.user}@${entry.host}:`);
      if (!password) throw new NixiError("DECLINED", "no password given: nothing was changed");
      const { sshExecutor } = await import("../../exec/targets.js");
      const boot = await sshExecutor(entry, ctx.config, ctx.env, ctx.debug, { password });
      password = undefined;
      try {
        const r = await boot.exec(INSTALL_KEY, { input: key.publicKey + "\n", timeoutMs: 30_000 });
        if (r.exitCode !== 0) {
          throw new NixiError("FAILED", `installing the key in ~/.ssh/authorized_keys on ${entry.name} failed: ${r.stderr.trim().split("\n").pop() ?? `exit ${r.exitCode}`}`);
        }
      } finally {
        await boot.close();
      }
      auth = "password-bootstrap";
      try {
        probe = await probeWithKey(ctx, entry);
      } catch (e2) {
        if (e2 instanceof NixiError && e2.code === "AUTH_FAILED") {
          throw new NixiError(
            "AUTH_FAILED",
            `the key was added to ~/.ssh/authorized_keys on ${entry.name}, but key login still fails`,
            "check the node's sshd: PubkeyAuthentication yes, and AuthorizedKeysFile including .ssh/authorized_keys",
          );
        }
        throw e2;
      }
    }
    const { readText, addNode, writeText } = await import("../../nodes/inventory.js");
    // re-read: the file may have changed while we were connecting
    const latest = await readText(ctx.config.path);
    const { parse } = await namedExports(import("smol-toml"));
    if (latest && ((parse(latest) as any).nodes ?? []).some((n: any) => n?.name === entry.name)) {
      throw new NixiError("INVALID_ARGUMENT", `node "${entry.name}" was added to ${ctx.config.path} meanwhile`);
    }
    await writeText(ctx.config.path, await addNode(latest, entry));
    return {
      name: entry.name,
      host: entry.host,
      user: entry.user,
      port: entry.port,
      mode: entry.mode,
      auth,
      hostKey: probe.hostKey ? { type: probe.hostKey.type, fingerprint: await fingerprint(probe.hostKey.key), recorded: probe.recorded } : null,
      nixosVersion: probe.version,
      config: ctx.config.path,
    };
  },

  render(d, out) {
    out.kv([
      ["node", d.name],
      ["address", `${d.user}@${d.host}:${d.port}`],
      ["mode", d.mode],
      ["login", d.auth === "key" ? "SSH key" : "SSH key (installed with the password, which was not kept)"],
      ["host key", d.hostKey ? `${d.hostKey.type} ${d.hostKey.fingerprint}${d.hostKey.recorded ? " (recorded)" : ""}` : "-"],
      ["NixOS", d.nixosVersion ?? "not detected"],
    ]);
  },
});
