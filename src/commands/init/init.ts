import { posix } from "node:path";
import { defineCommand } from "../../core/command.js";
import type { Ctx } from "../../core/context.js";
import type { FileChange } from "../../core/plan.js";
import { NixiError } from "../../core/errors.js";
import { namedExports } from "../../core/lazy-import.js";

interface InitData {
  configuration: string;
  /** The path added to imports, as written in configuration.nix. */
  entry: string;
  /** present: already imported; appended: added to the existing list; inserted: a new `imports` line. */
  imports: "present" | "appended" | "inserted";
  backup: string | null;
  created: string[];
  gitAdd: string[];
}

interface Computed {
  data: InitData;
  writes: Array<{ path: string; content: string; mode?: number }>;
  files: FileChange[];
  commands: string[];
}

const BACKUP_DIR = ".backup";
const NIX_PATH = /^[A-Za-z0-9._+\-/]+$/;

async function compute(ctx: Ctx, backupName?: string): Promise<Computed> {
  const { addImport, NixScanError } = await import("../../nixos/imports.js");
  const { generateFiles } = await import("../../nixos/generate.js");
  const { loadState } = await import("../../nixos/transaction.js");
  const { createTwoFilesPatch } = await namedExports(import("diff"));
  const { redact } = await import("../../core/redact.js");
  const diff = (path: string, a: string | null, b: string) =>
    redact(
      createTwoFilesPatch(a === null ? "/dev/null" : `a${path}`, `b${path}`, a ?? "", b, "", "", { context: 3 })
        .split("\n")
        .filter((l) => !l.startsWith("====") && !l.startsWith("Index:"))
        .join("\n"),
    );

  const confPath = ctx.config.configurationNix;
  const etc = posix.dirname(confPath);
  const dir = ctx.config.nixiDir;
  const rel = posix.relative(etc, dir);
  const entry = rel && !rel.startsWith("..") ? `./${rel}` : dir;
  if (!NIX_PATH.test(entry)) {
    throw new NixiError("CONFIG_INVALID", `nixi's folder ${dir} cannot be written as a Nix path literal`, "use a folder name made of letters, digits and . _ + - /");
  }
  const conf = await ctx.exec.readFile(confPath);
  if (conf === null) {
    throw new NixiError("NOT_FOUND", `${confPath} does not exist`, "is this a NixOS machine? Use --root DIR for a mounted system, or set nixos.configuration in config.toml");
  }
  let added: { text: string; changed: boolean; how: InitData["imports"] };
  try {
    added = addImport(conf, entry, [dir, `${entry}/default.nix`]);
  } catch (e) {
    if (e instanceof NixScanError) {
      throw new NixiError(
        "FAILED",
        `cannot find where to add ${entry} in ${confPath}: ${e.message}; nothing was changed`,
        `add ${entry} to the imports list of ${confPath} by hand (imports = [ ${entry} ];), then run \`nixi init\` again`,
      );
    }
    throw e;
  }

  const writes: Computed["writes"] = [];
  const files: FileChange[] = [];
  let backup: string | null = null;
  if (added.changed) {
    const stamp = ctx.clock().toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
    backup = backupName ?? posix.join(dir, BACKUP_DIR, `configuration.nix.${stamp}`);
    writes.push({ path: backup, content: conf, mode: 0o600 });
    files.push({ path: backup, action: "create" });
    const st = await ctx.exec.stat(confPath);
    writes.push({ path: confPath, content: added.text, mode: st ? st.mode & 0o7777 : 0o644 });
    files.push({ path: confPath, action: "modify", diff: diff(confPath, conf, added.text) });
  }

  // nixi's folder: state.toml, default.nix (and any module the state needs) when missing.
  const created: string[] = [];
  const generated = generateFiles(await loadState(ctx));
  const visible: string[] = [];
  for (const [name, content] of generated) {
    const path = posix.join(dir, name);
    visible.push(path);
    if ((await ctx.exec.readFile(path)) !== null) continue;
    writes.push({ path, content, mode: 0o644 });
    files.push({ path, action: "create", diff: diff(path, null, content) });
    created.push(path);
  }

  // A flake only sees files git tracks.
  const gitAdd: string[] = [];
  const commands: string[] = [];
  const isFlakeRepo = (await ctx.exec.stat(posix.join(etc, "flake.nix"))) !== null && (await ctx.exec.stat(posix.join(etc, ".git"))) !== null;
  if (isFlakeRepo && !rel.startsWith("..")) {
    const gitignore = posix.join(dir, ".gitignore");
    const ignoreText = "# nixi's bookkeeping (previous generations, backups, lock) stays out of git\n.*\n!.gitignore\n";
    if ((await ctx.exec.readFile(gitignore)) === null) {
      writes.push({ path: gitignore, content: ignoreText, mode: 0o644 });
      files.push({ path: gitignore, action: "create", diff: diff(gitignore, null, ignoreText) });
    }
    const relFiles = [...visible, gitignore].map((p) => posix.relative(etc, p));
    const status = await ctx.exec.run(["git", "status", "--porcelain", "--untracked-files=all", "--", ...relFiles], { readOnly: true, cwd: etc, cwdOnly: true, timeoutMs: 30_000 });
    const untracked = status.exitCode === 0 && status.stdout.split("\n").some((l) => l.startsWith("??"));
    if (writes.length > 0 || untracked) {
      gitAdd.push(...relFiles);
      commands.push(`git -C ${etc} add -- ${relFiles.join(" ")}`);
    }
  }

  return {
    data: { configuration: confPath, entry, imports: added.how, backup, created, gitAdd },
    writes,
    files,
    commands,
  };
}

export default defineCommand<Record<string, never>, InitData>({
  path: ["init"],
  summary: "Set up nixi on this machine: import nixi's folder from configuration.nix (once)",
  description:
    "Adds ./nixi (nixi's folder, relative to /etc/nixos) to the imports of configuration.nix, keeping the rest of the " +
    "file as it is, and creates the folder with an empty state.toml and default.nix. A copy of the previous " +
    "configuration.nix is kept in the nixi folder's .backup/ folder. On a flake whose folder is a git repository, " +
    "nixi's files are `git add`ed. Running it again changes nothing. It does not rebuild: the next nixi change does, " +
    "or run `nixi system rebuild`.",
  risk: "change",
  examples: ["nixi init --dry-run", "nixi init --yes", "nixi init --root /mnt --yes"],
  jsonFields: ["configuration", "entry", "imports", "backup", "created", "gitAdd"],
  async plan(ctx) {
    const c = await compute(ctx);
    const summary: string[] = [];
    if (c.data.imports !== "present") summary.push(`add ${c.data.entry} to the imports of ${c.data.configuration} (backup: ${c.data.backup})`);
    for (const p of c.data.created) summary.push(`create ${p}`);
    if (c.data.gitAdd.length) summary.push(`git add nixi's files (flake in a git repository)`);
    return { summary, files: c.files, commands: c.commands, rebuild: false, data: c.data };
  },
  async apply(ctx, _input, plan) {
    const { withLock } = await import("../../nixos/transaction.js");
    const backupName = plan.files.find((f) => f.path.includes(`/${BACKUP_DIR}/`))?.path;
    // (withLock creates nixi's folder for its lock and removes it again if nothing ends up in it)
    return withLock(ctx, async () => {
      // Recompute under the lock: what is written is what the file holds now.
      const c = await compute(ctx, backupName);
      // (the mode too: configuration.nix may be 600 because it holds secrets)
      const done: Array<{ path: string; before: string | null; mode?: number }> = [];
      try {
        for (const w of c.writes) {
          const before = await ctx.exec.readFile(w.path);
          done.push({ path: w.path, before, mode: before === null ? undefined : (await ctx.exec.stat(w.path))?.mode });
          await ctx.exec.writeFile(w.path, w.content, { mode: w.mode, privileged: true });
        }
      } catch (e) {
        for (const d of done.reverse()) {
          if (d.before === null) await ctx.exec.remove(d.path, { privileged: true }).catch(() => {});
          else await ctx.exec.writeFile(d.path, d.before, { mode: d.mode, privileged: true }).catch(() => {});
        }
        throw e;
      }
      if (c.data.gitAdd.length) {
        const etc = posix.dirname(ctx.config.configurationNix);
        const r = await ctx.exec.run(["git", "add", "--", ...c.data.gitAdd], { privileged: true, cwd: etc, cwdOnly: true, timeoutMs: 60_000 });
        if (r.exitCode !== 0) ctx.warn(`git add in ${etc} failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
      }
      if (c.data.imports !== "present") ctx.log(`nixi is set up; apply with \`nixi system rebuild\` (or make a change with nixi)`);
      return c.data;
    });
  },
  render(data, out) {
    out.kv([
      ["configuration", data.configuration],
      ["imports", data.imports === "present" ? `${data.entry} (already there)` : `${data.entry} (${data.imports})`],
      ["backup", data.backup ?? "-"],
      ["created", data.created.length ? data.created.join(", ") : "-"],
    ]);
  },
});
