import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";

interface ReadData {
  path: string;
  size: number;
  /** "utf8" text (redacted like all output), or "base64" for --raw. */
  encoding: "utf8" | "base64";
  content: string;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const MAX_MAX_BYTES = 64 * 1024 * 1024;

const isBinary = (s: string) => s.includes("\0") || s.includes("\uFFFD");

export default defineCommand<{ path: string; maxBytes: number; raw?: boolean }, ReadData>({
  path: ["file", "read"],
  summary: "Print a file under /srv/<name>/ (text; secret-looking lines redacted)",
  description: `Text files are printed with secret-looking values masked, like all of nixi's output. Files larger than --max-bytes (default ${DEFAULT_MAX_BYTES} bytes) are refused; binary files are refused unless --raw, which prints the bytes base64-encoded (pipe through base64 -d), not redacted. The path is checked again after reading: if a part was replaced by a symlink meanwhile, nothing is printed.`,
  risk: "read",
  args: [{ name: "path", description: "file: /srv/<name>/SUB or <name>/SUB" }],
  flags: {
    "max-bytes": { type: "number", description: `largest file to read (bytes, up to ${MAX_MAX_BYTES})`, default: DEFAULT_MAX_BYTES, placeholder: "n" },
    raw: { type: "boolean", description: "print a binary file's bytes base64-encoded (not redacted)" },
  },
  examples: ["nixi file read web/config/nginx.conf", "nixi --node web1 file read /srv/web/config/app.yaml --json"],
  jsonFields: ["path", "size", "encoding", "content"],
  async run(ctx, { path, maxBytes, raw }) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_MAX_BYTES) throw new NixiError("INVALID_ARGUMENT", `--max-bytes must be a whole number from 1 to ${MAX_MAX_BYTES}, not ${maxBytes}`);
    const { srvPathOf } = await import("../../files/schemas.js");
    const { resolveOnMachine } = await import("../../files/boundary.js");
    const p = srvPathOf(path, { sub: "read" });
    const r = await resolveOnMachine(ctx.exec, p, path);
    if (!r.stat) throw new NixiError("NOT_FOUND", `${p.path} does not exist`);
    if (r.stat.type === "dir") throw new NixiError("INVALID_ARGUMENT", `${p.path} is a folder`, `list it with \`nixi file list ${path}\``);
    if (r.stat.type !== "file") throw new NixiError("INVALID_ARGUMENT", `${p.path} is not a regular file`);
    if (r.stat.size > maxBytes) throw new NixiError("INVALID_ARGUMENT", `${p.path} is ${r.stat.size} bytes, more than --max-bytes ${maxBytes}`, `read it with --max-bytes ${r.stat.size} if you mean it`);
    let content: string;
    let encoding: ReadData["encoding"] = "utf8";
    const text = await ctx.exec.readFile(r.real);
    if (text === null) throw new NixiError("NOT_FOUND", `${p.path} disappeared while reading`);
    if (isBinary(text)) {
      if (!raw) throw new NixiError("INVALID_ARGUMENT", `${p.path} is a binary file`, "add --raw to get its bytes base64-encoded");
      const { programPath } = await import("../../users/machine.js");
      const { runChecked } = await import("../../core/run.js");
      const b = await runChecked(ctx, ["base64", "-w0", "--", programPath(ctx, r.real)], { readOnly: true, privileged: true, timeoutMs: 60_000 });
      content = b.stdout.trim();
      encoding = "base64";
    } else content = text;
    // a part replaced by a symlink while nixi read: print nothing
    const again = await resolveOnMachine(ctx.exec, p, path);
    if (again.real !== r.real) throw new NixiError("PATH_OUTSIDE_SRV", `${p.path} changed while it was read (now resolves to ${again.real}): nothing printed`);
    return { path: p.path, size: r.stat.size, encoding, content };
  },
  render(d, out) {
    // binary bytes never go to a terminal as they are: base64, for `| base64 -d`
    if (d.encoding === "base64") return out.line(d.content);
    for (const line of d.content.replace(/\n$/, "").split("\n")) out.line(line);
  },
});
