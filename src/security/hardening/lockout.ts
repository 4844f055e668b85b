// `security harden` never locks the administrator out: before password login goes off, the user
// nixi connects as (and, locally, the admin who ran sudo) must have an authorized SSH key.
import type { Ctx } from "../../core/context.js";
import type { State } from "../../nixos/state.js";
import { NixiError } from "../../core/errors.js";
import { readUsers } from "../../users/state.js";

export function loginUsers(ctx: Ctx): string[] {
  const node = ctx.config.nodes.find((n) => n.name === ctx.node);
  const users = new Set<string>();
  if (node) users.add(node.user);
  else {
    users.add(ctx.env.SUDO_USER || ctx.env.USER || "root");
  }
  return [...users];
}

async function hasKey(ctx: Ctx, state: State, user: string): Promise<string | null> {
  try {
    if ((readUsers(state)[user]?.sshKeys.length ?? 0) > 0) return `state.toml [users.${user}] ssh_keys`;
  } catch {
    /* a broken users table is reported elsewhere */
  }
  const passwd = (await ctx.exec.readFile("/etc/passwd")) ?? "";
  const home = passwd.split("\n").map((l) => l.split(":")).find((f) => f[0] === user)?.[5] ?? (user === "root" ? "/root" : `/home/${user}`);
  for (const p of [`/etc/ssh/authorized_keys.d/${user}`, `${home}/.ssh/authorized_keys`]) {
    const text = await ctx.exec.readFile(p).catch(() => null);
    if (text && text.split("\n").some((l) => /^\s*(?:[^#\s][^\s]*\s+)?(ssh-|ecdsa-|sk-)/.test(l))) return p;
  }
  return null;
}

/** Throws POLICY (exit 4) naming the user without a key. */
export async function refuseLockout(ctx: Ctx, state: State, ids: string[]): Promise<string[]> {
  const proof: string[] = [];
  for (const user of loginUsers(ctx)) {
    const where = await hasKey(ctx, state, user);
    if (!where) {
      throw new NixiError(
        "POLICY",
        `refusing [${ids.join(", ")}] because ${user} (the user nixi logs in as) has no authorized SSH key, so turning password login off would lock you out`,
        `add a key first: nixi user ssh-key add ${user} 'ssh-ed25519 AAAA...'`,
      );
    }
    proof.push(`${user} keeps key login (${where})`);
  }
  return proof;
}
