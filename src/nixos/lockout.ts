// Lock-out guards (issue 11): refuse, before anything is written, a change that would cut off the
// SSH access nixi (or the person) is using: exit 4 with a hint; --force overrides (ask cannot set it).
// Applies to remote nodes and, locally, when nixi runs inside an SSH session (SSH_CONNECTION).
// What counts as "the SSH access": the port of the connection, the ports sshd is declared to listen
// on (services.openssh.ports in state.toml, else 22), and the login user.
import type { Ctx } from "../core/context.js";
import type { Plan } from "../core/plan.js";
import { NixiError } from "../core/errors.js";
import type { PlanFacts } from "./plan-hooks.js";
import type { State } from "./state.js";
import { readFirewall, type FirewallState } from "../firewall/state.js";
import { readUsers } from "../users/state.js";

export interface SshAccess {
  /** Port of the SSH connection in use (null: not known). */
  port: number | null;
  /** Login user of that connection. */
  user: string | null;
  /** "node web (root@10.0.0.2:22)" or "this SSH session (port 22)". */
  where: string;
}

/** How nixi (or the person running it) reaches this machine over SSH; null when it does not. */
export function sshAccess(ctx: Pick<Ctx, "node" | "config" | "env">): SshAccess | null {
  if (ctx.node !== "local") {
    const n = ctx.config.nodes.find((x) => x.name === ctx.node);
    if (!n) return null;
    return { port: n.port, user: n.user, where: `node ${n.name} (${n.user}@${n.host}:${n.port})` };
  }
  const conn = ctx.env.SSH_CONNECTION?.trim().split(/\s+/);
  if (!conn || conn.length < 4) return null;
  const port = Number(conn[3]);
  const user = ctx.env.USER || ctx.env.LOGNAME || null;
  return { port: Number.isInteger(port) ? port : null, user, where: `this SSH session (port ${conn[3]})` };
}

const opt = (s: State, key: string): unknown => (s.options ?? {})[key];

/** Ports sshd listens on as declared (services.openssh.ports; NixOS default [22]) plus the connection's. */
function sshPorts(s: State, access: SshAccess): number[] {
  const declared = opt(s, "services.openssh.ports");
  const ports = Array.isArray(declared) && declared.every((p) => Number.isInteger(p)) ? (declared as number[]) : [22];
  return [...new Set([...(access.port !== null ? [access.port] : []), ...ports])];
}

function tcpOpen(fw: FirewallState, port: number, where: "global" | "any"): boolean {
  const hit = (l: FirewallState["tcp"]) => l.some((r) => r.from <= port && port <= r.to);
  if (hit(fw.tcp)) return true;
  return where === "any" && Object.values(fw.interfaces).some((i) => hit(i.tcp));
}

function refuse(what: string, access: SshAccess): never {
  throw new NixiError("LOCKOUT", `refused: ${what}, which would lock nixi out of ${access.where}`, "if you are sure (another way in exists, or the console is at hand), run again with --force");
}

const isFalse = (v: unknown) => v === false || v === "false";

/** The guards over a declarative change (state before -> after). */
export async function checkLockout(ctx: Ctx, _plan: Plan, facts: PlanFacts): Promise<void> {
  if (ctx.flags.force) return;
  const access = sshAccess(ctx);
  if (!access) return;
  const { before, after } = facts;
  const fwBefore = readFirewall(before);
  const fwAfter = readFirewall(after);
  for (const port of sshPorts(before, access)) {
    const what = port === access.port ? "the port of the SSH connection nixi is using" : "a port sshd listens on";
    // closing what nixi declared (globally or on an interface: nixi cannot know which one the connection uses)
    const closedGlobally = tcpOpen(fwBefore, port, "global") && !tcpOpen(fwAfter, port, "global");
    const closedEverywhere = tcpOpen(fwBefore, port, "any") && !tcpOpen(fwAfter, port, "any");
    if (closedGlobally || closedEverywhere) {
      refuse(`closing port ${port}/tcp (${what})`, access);
    }
  }
  if (isFalse(opt(after, "services.openssh.enable")) && !isFalse(opt(before, "services.openssh.enable"))) refuse("disabling sshd (services.openssh.enable = false)", access);
  if (isFalse(opt(after, "services.openssh.openFirewall")) && !isFalse(opt(before, "services.openssh.openFirewall"))) {
    const uncovered = sshPorts(after, access).filter((p) => !tcpOpen(fwAfter, p, "global"));
    if (uncovered.length) refuse(`closing sshd's firewall rule (services.openssh.openFirewall = false) while port ${uncovered.join(", ")}/tcp is not opened otherwise`, access);
  }
  const portsAfter = opt(after, "services.openssh.ports");
  if (access.port !== null && JSON.stringify(portsAfter) !== JSON.stringify(opt(before, "services.openssh.ports")) && Array.isArray(portsAfter) && !portsAfter.includes(access.port)) {
    refuse(`moving sshd off port ${access.port} (services.openssh.ports = ${JSON.stringify(portsAfter)})`, access);
  }
  // the login user: removed from the declared users, or its last declared key removed
  const ub = readUsers(before);
  const ua = readUsers(after);
  if (access.user && ub[access.user] && !ua[access.user]) refuse(`removing the user ${access.user}, the SSH login user`, access);
  if (access.user && ub[access.user]?.sshKeys.length && !ua[access.user]?.sshKeys.length && ua[access.user]) {
    if (!(await hasLiveKey(ctx, access.user))) refuse(`removing the last authorized SSH key of ${access.user}, the SSH login user`, access);
  }
  const pwKeys = ["services.openssh.settings.PasswordAuthentication", "services.openssh.passwordAuthentication"];
  if (pwKeys.some((k) => isFalse(opt(after, k)) && !isFalse(opt(before, k)))) {
    if (!(await wheelHasKey(ctx, after))) refuse("turning SSH password login off while no administrator (wheel) account has an authorized key", access);
  }
}

/** Keys outside state.toml: ~/.ssh/authorized_keys and NixOS's /etc/ssh/authorized_keys.d/USER. */
async function hasLiveKey(ctx: Ctx, user: string): Promise<boolean> {
  const { readPasswd } = await import("../users/machine.js");
  const { parseAuthorizedKeys } = await import("../users/sshkeys.js");
  const home = (await readPasswd(ctx)).find((p) => p.name === user)?.home;
  const files = [`/etc/ssh/authorized_keys.d/${user}`, ...(home && home.startsWith("/") ? [`${home.replace(/\/$/, "")}/.ssh/authorized_keys`] : [])];
  const r = await ctx.exec.batch(files.map((path) => ({ op: "read" as const, path })), { privileged: true });
  return r.some((x) => x.ok && x.content && parseAuthorizedKeys(x.content).length > 0);
}

async function wheelHasKey(ctx: Ctx, after: State): Promise<boolean> {
  const declared = readUsers(after);
  if (Object.values(declared).some((u) => u.groups.includes("wheel") && u.sshKeys.length > 0)) return true;
  const { readGroups } = await import("../users/machine.js");
  const wheel = (await readGroups(ctx)).find((g) => g.name === "wheel")?.members ?? [];
  const members = [...new Set([...wheel, ...Object.entries(declared).filter(([, u]) => u.groups.includes("wheel")).map(([n]) => n)])];
  for (const m of members) if (await hasLiveKey(ctx, m)) return true;
  return false;
}

/** The guards for imperative user commands (lock, ssh-key remove) on the login user. */
export async function checkUserLockout(ctx: Ctx, user: string, action: "lock" | "remove-key", remainingKeys?: number): Promise<void> {
  if (ctx.flags.force) return;
  const access = sshAccess(ctx);
  if (!access || access.user !== user) return;
  if (action === "lock") refuse(`locking ${user}, the SSH login user (sshd refuses a locked account unless PAM is used)`, access);
  if (action === "remove-key" && remainingKeys === 0) {
    const etc = await ctx.exec.batch([{ op: "read", path: `/etc/ssh/authorized_keys.d/${user}` }], { privileged: true });
    const { parseAuthorizedKeys } = await import("../users/sshkeys.js");
    if (!(etc[0].ok && etc[0].content && parseAuthorizedKeys(etc[0].content).length)) refuse(`removing the last authorized SSH key of ${user}, the SSH login user`, access);
  }
}
