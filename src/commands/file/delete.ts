import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { Ctx } from "../../core/context.js";

interface DeleteData {
  path: string;
  /** false in a plan (dry run, declined): nothing was deleted */
  deleted: boolean;
  type: "file" | "dir" | "symlink" | "other";
  files: number;
  folders: number;
}

/** What PATH names on the machine (the last part not followed), with the size of a folder. */
async function target(ctx: Ctx, path: string, recursive: boolean | undefined, missing: string) {
  const { srvPathOf } = await import("../../files/schemas.js");
  const { resolveOnMachine } = await import("../../files/boundary.js");
  const p = srvPathOf(path, { sub: "delete" });
  const r = await resolveOnMachine(ctx.exec, p, path, { noFollowLast: true });
  if (!r.stat) throw new NixiError("NOT_FOUND", `${p.path} ${missing}`);
  let files = 1;
  let folders = 0;
  if (r.stat.type === "dir") {
    if (!recursive) throw new NixiError("INVALID_ARGUMENT", `${p.path} is a folder`, "add --recursive to delete it and everything in it");
    const { inventory } = await import("../../containers/mutations.js");
    ({ files, folders } = await inventory(ctx, r.real));
    folders += 1;
  }
  return { p, r: { ...r, stat: r.stat }, files, folders };
}

export default defineCommand<{ path: string; recursive?: boolean }, DeleteData>({
  path: ["file", "delete"],
  summary: "Delete a file or (with --recursive) a folder under /srv/<name>/",
  description:
    "A folder needs --recursive. Interactively you must type the name being deleted; in scripts --yes allows it. A symlink is deleted itself, never its target. /srv/<name> itself is refused (use `nixi container remove NAME --purge`), and so is anything outside it.",
  risk: "change",
  args: [{ name: "path", description: "file or folder: /srv/<name>/SUB or <name>/SUB" }],
  flags: {
    recursive: { type: "boolean", short: "r", description: "delete a folder and everything in it" },
  },
  examples: ["nixi file delete web/cache/old.log --yes", "nixi file delete /srv/web/tmp --recursive --yes"],
  jsonFields: ["path", "deleted", "type", "files", "folders"],

  async plan(ctx, { path, recursive }) {
    const { p, r, files, folders } = await target(ctx, path, recursive, "does not exist");
    const what = r.stat.type === "dir" ? `${p.path}/ (${files} file${files === 1 ? "" : "s"}, ${folders} folder${folders === 1 ? "" : "s"})` : r.stat.type === "symlink" ? `the symlink ${p.path} (not its target)` : p.path;
    if (!ctx.flags.dryRun && !ctx.flags.yes && ctx.interactive) {
      const name = p.parts[p.parts.length - 1];
      const typed = await ctx.prompter.input(`Deleting ${what} for good. Type its name (${name}) to confirm`);
      if (typed.trim() !== name) throw new NixiError("DECLINED", `the typed name did not match ${JSON.stringify(name)}: nothing was changed`);
    }
    return {
      summary: [`DELETE ${what}`],
      files: [{ path: p.path, action: "delete" }],
      commands: [],
      rebuild: false,
      data: { path: p.path, deleted: false, type: r.stat.type, files, folders },
    };
  },

  async apply(ctx, { path, recursive }) {
    // checked again right before deleting
    const { p, r, files, folders } = await target(ctx, path, recursive, "disappeared before it was deleted");
    await ctx.exec.remove(r.real, { recursive: r.stat.type === "dir", privileged: true });
    return { path: p.path, deleted: true, type: r.stat.type, files: r.stat.type === "dir" ? files : 1, folders };
  },

  render(d, out) {
    if (!d.deleted) return;
    out.line(d.type === "dir" ? `deleted ${d.path}/ (${d.files} files, ${d.folders} folders)` : `deleted ${d.path}`);
  },
});
