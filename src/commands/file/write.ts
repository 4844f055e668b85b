import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { Plan } from "../../core/plan.js";

interface WriteData {
  path: string;
  /** false in a plan (dry run, declined): nothing was written */
  written: boolean;
  bytes: number;
  created: boolean;
  owner: string;
  mode: string;
  folders: string[];
}

export const MAX_WRITE_BYTES = 16 * 1024 * 1024;

interface Prepared {
  path: string;
  real: string;
  before: string | null;
  content: string;
  mode: number;
  folders: string[];
}

// stdin can be read once: plan() and apply() share what was read (same input object)
const CONTENT = new WeakMap<object, string>();

async function readContent(ctx: import("../../core/context.js").Ctx, input: { path: string; from?: string }): Promise<string> {
  const cached = CONTENT.get(input);
  if (cached !== undefined) return cached;
  let content: string;
  if (input.from !== undefined) content = await ctx.readInputFile("--from", input.from);
  else if (ctx.io.stdinIsTTY) throw new NixiError("USAGE", "file write needs the content on stdin or from --from FILE", `e.g. nixi file write ${input.path} --from ./nginx.conf`);
  else content = await ctx.readStdin();
  CONTENT.set(input, content);
  return content;
}

async function prepare(ctx: import("../../core/context.js").Ctx, input: { path: string; from?: string }): Promise<Prepared> {
  const { srvPathOf } = await import("../../files/schemas.js");
  const { resolveOnMachine } = await import("../../files/boundary.js");
  const { DATA_FILE_MODE } = await import("../../files/owner.js");
  const p = srvPathOf(input.path, { sub: "write" });
  const content = await readContent(ctx, input);
  if (Buffer.byteLength(content) > MAX_WRITE_BYTES) throw new NixiError("INVALID_ARGUMENT", `the content is ${Buffer.byteLength(content)} bytes, more than ${MAX_WRITE_BYTES}`);
  // the executors carry text: bytes that are not UTF-8 would not arrive as given
  if (content.includes("\0") || content.includes("\uFFFD")) throw new NixiError("INVALID_ARGUMENT", "the content is binary (NUL bytes or invalid UTF-8): file write writes text only");
  const r = await resolveOnMachine(ctx.exec, p, input.path);
  if (r.stat && r.stat.type !== "file") throw new NixiError("INVALID_ARGUMENT", `${p.path} exists and is ${r.stat.type === "dir" ? "a folder" : "not a regular file"}`);
  const before = r.stat ? await ctx.exec.readFile(r.real) : null;
  // parent folders to create, below the deepest one that exists
  const folders: string[] = [];
  let dir = r.real.slice(0, r.real.lastIndexOf("/"));
  while (dir.length > r.base.length && !(await ctx.exec.stat(dir))) {
    folders.unshift(dir);
    dir = dir.slice(0, dir.lastIndexOf("/"));
  }
  return { path: p.path, real: r.real, before, content, mode: r.stat ? r.stat.mode & 0o7777 : DATA_FILE_MODE, folders };
}

export default defineCommand<{ path: string; from?: string }, WriteData>({
  path: ["file", "write"],
  summary: "Write a file under /srv/<name>/ (content from stdin or --from FILE)",
  description:
    "The plan shows a unified diff. Parent folders are created inside the container's folder; new files and folders get the owner of the containers' data (data_owner in state.toml) and modes 0640/0750, an existing file keeps its mode. The write is atomic (a temporary file in the same folder, then rename). Text only. The path is refused (exit 4) outside /srv/<name>/, in /srv/.credentials, or through a symlink that leads out.",
  risk: "change",
  args: [{ name: "path", description: "file: /srv/<name>/SUB or <name>/SUB" }],
  flags: {
    from: { type: "string", description: "read the content from this file where nixi runs (- for stdin; default stdin)", placeholder: "file" },
  },
  examples: ["nixi file write web/config/nginx.conf --from ./nginx.conf --yes", "echo 'debug = false' | nixi --node web1 file write /srv/app/config/app.toml --yes"],
  jsonFields: ["path", "written", "bytes", "created", "owner", "mode", "folders"],

  async plan(ctx, input) {
    const prep = await prepare(ctx, input);
    const { dataOwner } = await import("../../files/owner.js");
    const owner = await dataOwner(ctx);
    const data: WriteData = { path: prep.path, written: false, bytes: Buffer.byteLength(prep.content), created: prep.before === null, owner, mode: prep.mode.toString(8).padStart(4, "0"), folders: prep.folders };
    if (prep.before === prep.content) return { summary: [`${prep.path} already has this content`], files: [], commands: [], rebuild: false, data };
    const { unifiedDiff } = await import("../../nixos/transaction.js");
    const plan: Plan = {
      summary: [
        ...prep.folders.map((f) => `create folder ${f}/ (owner ${owner}, mode 0750)`),
        prep.before === null ? `create ${prep.path} (${data.bytes} bytes, owner ${owner}, mode ${data.mode})` : `replace ${prep.path} (${Buffer.byteLength(prep.before)} -> ${data.bytes} bytes)`,
      ],
      files: [{ path: prep.path, action: prep.before === null ? "create" : "modify", diff: await unifiedDiff(prep.path, prep.before, prep.content) }],
      commands: [],
      rebuild: false,
    };
    return { ...plan, data };
  },

  async apply(ctx, input) {
    // prepared again: what is written is checked against the machine as it is now, not at plan time
    const prep = await prepare(ctx, input);
    const { dataOwner, DATA_DIR_MODE } = await import("../../files/owner.js");
    const { programPath, runTool } = await import("../../users/machine.js");
    const owner = await dataOwner(ctx);
    for (const f of prep.folders) {
      await ctx.exec.mkdir(f, { mode: DATA_DIR_MODE, privileged: true });
      await runTool(ctx, ["chown", owner, "--", programPath(ctx, f)]);
    }
    await ctx.exec.writeFile(prep.real, prep.content, { mode: prep.mode, privileged: true });
    if (prep.before === null) await runTool(ctx, ["chown", owner, "--", programPath(ctx, prep.real)]);
    return { path: prep.path, written: true, bytes: Buffer.byteLength(prep.content), created: prep.before === null, owner, mode: prep.mode.toString(8).padStart(4, "0"), folders: prep.folders };
  },

  render(d, out) {
    if (d.written) out.line(`${d.created ? "created" : "wrote"} ${d.path} (${d.bytes} bytes)`);
  },
});
