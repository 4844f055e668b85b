// ~/.ssh/authorized_keys of a user, edited imperatively: ~/.ssh mode 700 and the file mode 600,
// both owned by the user (sshd's StrictModes); a symlinked ~/.ssh or file is refused.
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { programPath, runTool, type PasswdEntry } from "./machine.js";
import { parseAuthorizedKeys, type AuthorizedKey } from "./sshkeys.js";

export const authorizedKeysPath = (u: PasswdEntry) => posix.join(u.home, ".ssh", "authorized_keys");

async function checkNotSymlink(ctx: Ctx, path: string, want: "dir" | "file"): Promise<boolean> {
  const st = await ctx.exec.stat(path);
  if (!st) return false;
  if (st.type !== want) throw new NixiError("POLICY", `${path} is a ${st.type}, not a ${want === "dir" ? "folder" : "regular file"}: nixi does not write through it`, "look at it by hand");
  return true;
}

export async function readAuthorizedKeys(ctx: Ctx, u: PasswdEntry): Promise<{ path: string; text: string; keys: AuthorizedKey[] }> {
  const path = authorizedKeysPath(u);
  let text: string | null = null;
  try {
    text = await ctx.exec.readFile(path);
  } catch (e: any) {
    ctx.warn(`cannot read ${path}: ${e.code ?? e.message}`);
  }
  return { path, text: text ?? "", keys: parseAuthorizedKeys(text ?? "") };
}

export async function writeAuthorizedKeys(ctx: Ctx, u: PasswdEntry, content: string): Promise<void> {
  if (!u.home.startsWith("/") || u.home === "/" || !(await checkNotSymlink(ctx, u.home, "dir"))) {
    throw new NixiError("FAILED", `the home folder of ${u.name} (${u.home || "none"}) does not exist`);
  }
  const dir = posix.join(u.home, ".ssh");
  const owner = `${u.uid}:${u.gid}`;
  if (!(await checkNotSymlink(ctx, dir, "dir"))) {
    await ctx.exec.mkdir(dir, { mode: 0o700, privileged: true });
    await runTool(ctx, ["chown", owner, programPath(ctx, dir)]);
  }
  const path = posix.join(dir, "authorized_keys");
  await checkNotSymlink(ctx, path, "file");
  await ctx.exec.writeFile(path, content, { mode: 0o600, privileged: true });
  await runTool(ctx, ["chown", "-h", owner, programPath(ctx, path)]);
}
