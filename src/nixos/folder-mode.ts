// A private folder nixi asks for (mode with no group/other bits, e.g. /srv/.credentials 700) is
// made private even when it already exists with a looser mode: a pre-created 777 folder would
// otherwise expose every secret written into it. Looser folders (container data, 750) are left
// as they are, since what runs in them may have changed their mode on purpose.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";

/** True when `path` exists and must be chmod'ed to `mode`; refuses a non-folder (a symlink would
 *  make chmod act on its target). */
export async function needsPrivateChmod(ctx: Pick<Ctx, "exec">, path: string, mode: number | undefined): Promise<boolean> {
  if (mode === undefined || (mode & 0o077) !== 0) return false;
  const st = await ctx.exec.stat(path);
  if (!st) return false;
  if (st.type !== "dir") throw new NixiError("POLICY", `${path} should be a folder nixi keeps private (mode ${mode.toString(8)}), but it is a ${st.type}`, `remove or move ${path}; nothing was changed`);
  return (st.mode & 0o7777) !== mode;
}

/** For imperative commands: create the private folder, or tighten its mode when it exists. */
export async function ensurePrivateFolder(ctx: Pick<Ctx, "exec">, path: string, mode: number): Promise<void> {
  if (await needsPrivateChmod(ctx, path, mode)) await ctx.exec.chmod(path, mode);
  else await ctx.exec.mkdir(path, { mode, privileged: true });
}
