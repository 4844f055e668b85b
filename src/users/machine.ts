// The machine's account databases (/etc/passwd, /etc/group, /etc/shadow) read through the executor,
// so --root and SSH nodes work the same.
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { runChecked } from "../core/run.js";

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export async function readPasswd(ctx: Ctx): Promise<PasswdEntry[]> {
  const text = (await ctx.exec.readFile("/etc/passwd")) ?? "";
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || !f[0]) continue;
    out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), gecos: f[4], home: f[5], shell: f[6] });
  }
  return out;
}

export async function readGroups(ctx: Ctx): Promise<GroupEntry[]> {
  const text = (await ctx.exec.readFile("/etc/group")) ?? "";
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || !f[0]) continue;
    out.push({ name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(",").filter(Boolean) : [] });
  }
  return out;
}

/** name -> locked (password field starts with "!"); null when /etc/shadow cannot be read. */
export async function readShadowLocks(ctx: Ctx): Promise<Map<string, boolean> | null> {
  let text: string | null;
  try {
    text = await ctx.exec.readFile("/etc/shadow");
  } catch {
    return null;
  }
  if (text === null) return null;
  const out = new Map<string, boolean>();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 2 || !f[0]) continue;
    out.set(f[0], f[1].startsWith("!"));
  }
  return out;
}

export async function requireUser(ctx: Ctx, name: string): Promise<PasswdEntry> {
  const u = (await readPasswd(ctx)).find((e) => e.name === name);
  if (!u) throw new NixiError("NOT_FOUND", `no user ${name} on ${ctx.node === "local" ? "this machine" : ctx.node}`, "see `nixi user list`");
  return u;
}

export function refuseRoot(name: string, what: string): void {
  if (name === "root") throw new NixiError("POLICY", `nixi does not ${what} root`, "do this by hand if you really mean it");
}

/** Path of a machine path for programs run locally (they do not know about --root). */
export function programPath(ctx: Ctx, path: string): string {
  return ctx.exec.node === "local" && ctx.root && ctx.root !== "/" ? posix.join(ctx.root, path) : path;
}

/** `-R DIR` for the shadow tools (passwd, usermod, chpasswd) when working under --root. */
export function rootArgs(ctx: Ctx): string[] {
  return ctx.exec.node === "local" && ctx.root && ctx.root !== "/" ? ["-R", ctx.root] : [];
}

export async function runTool(ctx: Ctx, argv: string[], opts: { input?: string } = {}): Promise<void> {
  await runChecked(ctx, argv, { privileged: true, timeoutMs: 30_000, input: opts.input });
}
