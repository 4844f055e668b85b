import { posix } from "node:path";
import { defineCommand } from "../../core/command.js";
import { redact } from "../../core/redact.js";
import { namedExports } from "../../core/lazy-import.js";

interface FileDiff {
  path: string;
  status: "added" | "modified" | "removed";
  diff: string;
}

interface DiffData {
  /** Whether a generation applied by nixi (a successful rebuild) is on record. */
  applied: boolean;
  /** Staged files differ from the applied ones. */
  pending: boolean;
  files: FileDiff[];
}

export default defineCommand<Record<string, never>, DiffData>({
  path: ["config", "diff"],
  summary: "Show what is staged in nixi's files but not yet applied by a rebuild",
  description:
    "Compares nixi's files (state.toml and the generated modules) with the copies kept at the last successful rebuild " +
    "(the .applied folder inside nixi's folder). Changes made with --no-rebuild show here until `nixi system rebuild`.",
  risk: "read",
  examples: ["nixi config diff", "nixi config diff --json"],
  jsonFields: ["applied", "pending", "files"],
  async run(ctx) {
    const { OWNED_FILES } = await import("../../nixos/generate.js");
    const { APPLIED_DIR } = await import("../../nixos/transaction.js");
    const { createTwoFilesPatch } = await namedExports(import("diff"));
    const dir = ctx.config.nixiDir;
    const appliedDir = posix.join(dir, APPLIED_DIR);
    // both generations of every file in one round trip (issue 11)
    const paths = OWNED_FILES.flatMap((f) => [posix.join(dir, f), posix.join(appliedDir, f)]);
    ctx = { ...ctx, exec: await (await import("../../exec/prefetch.js")).prefetchFiles(ctx.exec, paths, [appliedDir]) };
    const applied = (await ctx.exec.stat(appliedDir))?.type === "dir";
    const files: FileDiff[] = [];
    for (const f of OWNED_FILES) {
      const path = posix.join(dir, f);
      const staged = await ctx.exec.readFile(path);
      const before = applied ? await ctx.exec.readFile(posix.join(appliedDir, f)) : null;
      if (staged === before) continue;
      const patch = createTwoFilesPatch(before === null ? "/dev/null" : `a${path}`, staged === null ? "/dev/null" : `b${path}`, before ?? "", staged ?? "", "", "", { context: 3 });
      const diff = redact(patch.split("\n").filter((l) => !l.startsWith("====") && !l.startsWith("Index:")).join("\n"));
      files.push({ path, status: before === null ? "added" : staged === null ? "removed" : "modified", diff });
    }
    return { applied, pending: files.length > 0, files };
  },
  render(data, out) {
    if (!data.applied) out.line(out.style.dim("# no rebuild by nixi is on record: everything below is not applied by nixi yet"));
    if (!data.pending) {
      out.line("nothing staged: nixi's files match the last applied generation");
      return;
    }
    for (const f of data.files) {
      for (const l of f.diff.replace(/\n$/, "").split("\n")) {
        out.line(l.startsWith("+") && !l.startsWith("+++") ? out.style.ok(l) : l.startsWith("-") && !l.startsWith("---") ? out.style.bad(l) : l);
      }
    }
  },
});
