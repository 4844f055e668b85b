import { posix } from "node:path";
import { defineCommand } from "../../core/command.js";
import { redact } from "../../core/redact.js";

interface ShownFile {
  path: string;
  /** configuration.nix, or a file nixi generates in its folder. */
  kind: "configuration" | "nixi";
  exists: boolean;
  /** Content with sensitive lines redacted; null when the file is absent. */
  content: string | null;
}

export default defineCommand<Record<string, never>, { files: ShownFile[] }>({
  path: ["config", "show"],
  summary: "Show configuration.nix and the modules nixi generates (secrets redacted)",
  risk: "read",
  examples: ["nixi config show", "nixi config show --json"],
  jsonFields: ["files"],
  async run(ctx) {
    const { OWNED_FILES } = await import("../../nixos/generate.js");
    const files: ShownFile[] = [];
    // every file in one round trip (issue 11)
    const owned = OWNED_FILES.map((f) => posix.join(ctx.config.nixiDir, f));
    ctx = { ...ctx, exec: await (await import("../../exec/prefetch.js")).prefetchFiles(ctx.exec, [ctx.config.configurationNix, ...owned], owned) };
    const show = async (path: string, kind: ShownFile["kind"]) => {
      const text = await ctx.exec.readFile(path);
      files.push({ path, kind, exists: text !== null, content: text === null ? null : redact(text) });
    };
    await show(ctx.config.configurationNix, "configuration");
    for (const f of OWNED_FILES) {
      const path = posix.join(ctx.config.nixiDir, f);
      if (f === "state.toml" || f === "default.nix" || (await ctx.exec.stat(path))) await show(path, "nixi");
    }
    return { files };
  },
  render(data, out) {
    for (const f of data.files) {
      out.line(out.style.bold(`# ==> ${f.path} <==`));
      if (f.content === null) out.line(out.style.dim("# (absent)"));
      else out.line(f.content.replace(/\n$/, ""));
      out.line();
    }
  },
});
