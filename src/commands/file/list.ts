import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";

interface Entry {
  name: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  mode: string;
  modified: string;
}

interface ListData {
  path: string;
  entries: Entry[];
  truncated: boolean;
}

export const MAX_ENTRIES = 2000;

export default defineCommand<{ path: string }, ListData>({
  path: ["file", "list"],
  summary: "List a folder under /srv/<name>/",
  description: `PATH is /srv/<name>/... or <name>/...; /srv itself, /srv/.credentials, '..' and symlinks that lead out of /srv/<name>/ are refused (exit 4). At most ${MAX_ENTRIES} entries are listed.`,
  risk: "read",
  args: [{ name: "path", description: "folder: /srv/<name>/SUB or <name>/SUB" }],
  examples: ["nixi file list web", "nixi --node web1 file list /srv/web/config --json"],
  jsonFields: ["path", "entries", "truncated"],
  async run(ctx, { path }) {
    const { srvPathOf } = await import("../../files/schemas.js");
    const { resolveOnMachine } = await import("../../files/boundary.js");
    const p = srvPathOf(path);
    const r = await resolveOnMachine(ctx.exec, p, path);
    if (!r.stat) throw new NixiError("NOT_FOUND", `${p.path} does not exist`);
    if (r.stat.type !== "dir") throw new NixiError("INVALID_ARGUMENT", `${p.path} is not a folder`, `read a file with \`nixi file read ${path}\``);
    const names = (await ctx.exec.readdir(r.real)).sort();
    const entries: Entry[] = [];
    for (const name of names.slice(0, MAX_ENTRIES)) {
      const st = await ctx.exec.stat(`${r.real}/${name}`);
      if (!st) continue; // removed meanwhile
      entries.push({ name, type: st.type, size: st.size, mode: (st.mode & 0o7777).toString(8).padStart(4, "0"), modified: new Date(st.mtimeMs).toISOString() });
    }
    if (names.length > MAX_ENTRIES) ctx.warn(`${p.path} has ${names.length} entries: only the first ${MAX_ENTRIES} are listed`);
    return { path: p.path, entries, truncated: names.length > MAX_ENTRIES };
  },
  render(d, out) {
    if (!d.entries.length) return out.line(`${d.path}/ is empty`);
    out.table(
      d.entries.map((e) => ({ ...e, name: e.type === "dir" ? `${e.name}/` : e.name })),
      [
        { key: "mode", header: "mode" },
        { key: "type", header: "type" },
        { key: "size", header: "size" },
        { key: "modified", header: "modified" },
        { key: "name", header: "name" },
      ],
    );
  },
});
