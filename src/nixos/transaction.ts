// A change is a transaction: lock -> load -> mutate -> render -> plan -> confirm -> write
// (keeping the previous generation) -> one rebuild -> restore byte for byte on failure.
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import type { MutateResult } from "../core/command.js";
import type { FileChange, Plan } from "../core/plan.js";
import { NixiError } from "../core/errors.js";
import { confirmPlan } from "../core/confirm.js";
import { uniqueFindings } from "../core/findings.js";
import { loadState, type State } from "./state.js";
export { loadState } from "./state.js";
import { generateFiles, OWNED_FILES, STATE_FILE } from "./generate.js";
import { redact } from "../core/redact.js";

/** Bookkeeping inside nixi's folder: dot-folders, so the visible files are state.toml and modules. */
export const LOCK_DIR = ".lock";
export const PREVIOUS_DIR = ".previous"; // the generation before the last write
export const APPLIED_DIR = ".applied"; // what the last successful rebuild used
export const FAILED_DIR = ".failed"; // what a failed rebuild tried, for inspection
export const REBUILD_LOG = ".rebuild.log";

const LOCK_WAIT_MS = 120_000;

export interface TransactionResult<D = unknown> {
  changed: boolean;
  plan: Plan;
  data?: D;
  warnings: string[];
  rebuilt: boolean;
}

type Snapshot = Map<string, string | null>; // machine path -> content (null: absent)

/** Folders on the way to `dir` that do not exist yet, outermost first. */
async function missingFolders(ctx: Ctx, dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = dir; d !== "/" && !(await ctx.exec.stat(d)); d = posix.dirname(d)) missing.unshift(d);
  return missing;
}

/** Take nixi's lock for the machine. Folders created only to hold the lock are removed again
 *  when they end up empty, so a declined or failed change leaves the tree as it was. */
export async function withLock<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  const created = await missingFolders(ctx, ctx.config.nixiDir);
  try {
    return await lockHeld(ctx, fn);
  } finally {
    for (const d of created.reverse()) await ctx.exec.remove(d, { privileged: true }).catch(() => {});
  }
}

async function lockHeld<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  const lock = posix.join(ctx.config.nixiDir, LOCK_DIR);
  const start = Date.now();
  let delay = 20;
  for (;;) {
    if (await ctx.exec.mkdir(lock, { exclusive: true, privileged: true })) break;
    const st = await ctx.exec.stat(lock);
    // A lock older than the longest rebuild belongs to a dead process.
    if (st && Date.now() - st.mtimeMs > (ctx.config.rebuild.timeoutSeconds + 120) * 1000) {
      ctx.warn(`removing a stale lock ${lock}`);
      await ctx.exec.remove(lock, { recursive: true, privileged: true });
      continue;
    }
    if (Date.now() - start > LOCK_WAIT_MS) {
      throw new NixiError("LOCKED", `another nixi is changing this machine (lock ${lock} held for ${Math.round((Date.now() - start) / 1000)} s)`, `if no nixi is running, remove ${lock}`);
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 1.5, 250);
  }
  try {
    return await fn();
  } finally {
    await ctx.exec.remove(lock, { recursive: true, privileged: true }).catch(() => {});
  }
}

async function snapshot(ctx: Ctx, paths: string[]): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const p of paths) snap.set(p, await ctx.exec.readFile(p));
  return snap;
}

async function restore(ctx: Ctx, snap: Snapshot): Promise<void> {
  for (const [path, content] of snap) {
    if (content === null) await ctx.exec.remove(path, { privileged: true });
    else {
      const st = await ctx.exec.stat(path);
      await ctx.exec.writeFile(path, content, { mode: st?.mode, privileged: true });
    }
  }
}

async function unifiedDiff(path: string, before: string | null, after: string | null): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  const patch = createTwoFilesPatch(before === null ? "/dev/null" : `a${path}`, after === null ? "/dev/null" : `b${path}`, before ?? "", after ?? "", "", "", { context: 3 });
  // drop the "Index:"/"====" preamble jsdiff adds
  return redact(patch.split("\n").filter((l) => !l.startsWith("====") && !l.startsWith("Index:")).join("\n"));
}

export interface ChangeOptions {
  /** Rebuild even when no file changes (system rebuild). */
  forceRebuild?: boolean;
}

/** Run a declarative change. `mutate` edits the draft state; everything else is the engine's. */
export async function runChange<D>(
  ctx: Ctx,
  mutate: (state: State) => Promise<MutateResult<D>> | MutateResult<D>,
  opts: ChangeOptions = {},
): Promise<TransactionResult<D>> {
  const body = async (): Promise<TransactionResult<D>> => {
    const dir = ctx.config.nixiDir;
    const before = await loadState(ctx);
    const draft: State = structuredClone(before);
    const result = await mutate(draft);
    const warnings = [...(result.warnings ?? [])];

    const generated = generateFiles(draft);
    const ownedPaths = OWNED_FILES.map((f) => posix.join(dir, f));
    const current = await snapshot(ctx, ownedPaths);
    const writes = new Map<string, string | null>(); // path -> new content (null: delete)
    for (const path of ownedPaths) {
      const next = generated.get(posix.basename(path)) ?? null;
      if (current.get(path) !== next) writes.set(path, next);
    }
    // A mutation that leaves the state as it was renders nothing (a command-only change on a
    // fresh machine must not create nixi's folder); `system rebuild` re-renders on purpose.
    const statePath = posix.join(dir, STATE_FILE);
    if (JSON.stringify(before) === JSON.stringify(draft)) {
      if (!opts.forceRebuild) writes.clear();
      // never rewrite a (possibly hand-formatted) state.toml whose content did not change
      else if (current.get(statePath) !== null) writes.delete(statePath);
    }

    const extraFiles = result.files ?? [];
    const extraSnap = await snapshot(ctx, extraFiles.map((f) => f.path));
    const changedExtra = extraFiles.filter((f) => extraSnap.get(f.path) !== f.content);
    const mkdirs: NonNullable<MutateResult["mkdirs"]> = [];
    const newFolders: string[] = []; // every folder the mkdirs will create, outermost first
    for (const m of result.mkdirs ?? []) {
      const missing = await missingFolders(ctx, m.path);
      if (missing.length === 0) continue;
      mkdirs.push(m);
      newFolders.push(...missing.filter((d) => !newFolders.includes(d)));
    }
    const removals = [];
    for (const r of result.removals ?? []) if (await ctx.exec.stat(r)) removals.push(r);

    const files: FileChange[] = [];
    for (const [path, next] of writes) {
      const prev = current.get(path) ?? null;
      files.push({ path, action: prev === null ? "create" : next === null ? "delete" : "modify", diff: await unifiedDiff(path, prev, next) });
    }
    for (const f of changedExtra) {
      files.push({ path: f.path, action: extraSnap.get(f.path) === null ? "create" : "modify", ...(f.secret ? { secret: true } : { diff: await unifiedDiff(f.path, extraSnap.get(f.path) ?? null, f.content) }) });
    }
    for (const r of removals) files.push({ path: r, action: "delete" });
    const commands = [...mkdirs.map((m) => `mkdir -p ${m.path}`), ...(result.commands ?? []).map((c) => c.description ?? c.argv.join(" "))];
    const stateChanged = writes.size > 0;
    const rebuild = (stateChanged || !!opts.forceRebuild) && !ctx.flags.noRebuild;
    if (rebuild) commands.push(`nixos-rebuild ${ctx.config.rebuild.mode}`);
    const summary = [...result.summary];
    if (stateChanged && ctx.flags.noRebuild) summary.push("staged only (--no-rebuild): apply later with `nixi system rebuild`");
    const plan: Plan = { summary, files, commands, rebuild };
    // insecure-request findings: what the command says, plus what the new state adds (src/security/findings)
    const { newFindings } = await import("../security/findings/index.js");
    const findings = uniqueFindings([...(result.findings ?? []), ...newFindings(before, draft)]);
    if (findings.length) plan.findings = findings;

    const changed = stateChanged || changedExtra.length > 0 || mkdirs.length > 0 || removals.length > 0 || (result.commands?.length ?? 0) > 0 || rebuild;
    if (!changed) return { changed: false, plan, data: result.data, warnings, rebuilt: false };

    if (!(await confirmPlan(ctx, plan))) return { changed: false, plan, data: result.data, warnings, rebuilt: false };

    // On failure: nixi's files and the extra files back byte for byte, and the folders this
    // change created removed again while they are still empty.
    const undo = async () => {
      await restore(ctx, current);
      await restore(ctx, extraSnap);
      for (const d of [...newFolders].reverse()) await ctx.exec.remove(d, { privileged: true }).catch(() => {});
    };
    // Keep the previous generation of nixi's files on disk as well as in memory.
    for (const [path, content] of current) {
      const keep = posix.join(dir, PREVIOUS_DIR, posix.basename(path));
      if (content === null) await ctx.exec.remove(keep, { privileged: true });
      else await ctx.exec.writeFile(keep, content, { privileged: true });
    }
    try {
      for (const [path, content] of writes) {
        if (content === null) await ctx.exec.remove(path, { privileged: true });
        else await ctx.exec.writeFile(path, content, { mode: 0o644, privileged: true });
      }
      // folders first, so a file inside one (e.g. /srv/.credentials/x.env) gets the folder's mode, not a default one
      for (const m of mkdirs) await ctx.exec.mkdir(m.path, { mode: m.mode, privileged: true });
      for (const f of changedExtra) await ctx.exec.writeFile(f.path, f.content, { mode: f.mode ?? 0o644, privileged: true });
      await gitAddIfFlake(ctx);
      for (const c of result.commands ?? []) {
        const r = await ctx.exec.run(c.argv, { privileged: c.privileged });
        if (r.exitCode !== 0) throw new NixiError("FAILED", `${c.argv.join(" ")} failed (exit ${r.exitCode}): ${tail(r.stderr || r.stdout, 5)}`);
      }
    } catch (e) {
      await undo();
      throw e;
    }

    if (rebuild) {
      const failure = await rebuildNow(ctx, { restored: "nixi's files were restored", hint: `what was tried is kept in ${posix.join(dir, FAILED_DIR)}/` });
      if (failure) {
        await keepFailed(ctx, writes);
        await undo();
        throw failure;
      }
    }
    for (const r of removals) await ctx.exec.remove(r, { recursive: true, privileged: true });
    return { changed: true, plan, data: result.data, warnings, rebuilt: rebuild };
  };
  return ctx.flags.dryRun ? body() : withLock(ctx, body);
}

export interface RebuildOptions {
  /** Extra nixos-rebuild arguments (`--upgrade`). */
  args?: string[];
  /** What the caller puts back when the rebuild fails, for the message ("nixi's files were restored"). */
  restored?: string;
  hint?: string;
}

/** Run nixos-rebuild (mode from config.toml); on success record the applied generation of nixi's
 *  files; keep the redacted log. Returns the error (exit 6, log tail) on failure. */
export async function rebuildNow(ctx: Ctx, opts: RebuildOptions = {}): Promise<NixiError | null> {
  const mode = ctx.config.rebuild.mode;
  const argv = ["nixos-rebuild", mode, ...(opts.args ?? [])];
  ctx.log(`running ${argv.join(" ")} ...`);
  const r = await ctx.exec.run(argv, { privileged: true, timeoutMs: ctx.config.rebuild.timeoutSeconds * 1000 });
  const log = (r.stdout + (r.stderr ? "\n" + r.stderr : "")).trim();
  // 600: redaction only knows the secrets of this run and the usual shapes; build output can hold more
  await ctx.exec.writeFile(posix.join(ctx.config.nixiDir, REBUILD_LOG), redact(log) + "\n", { privileged: true, mode: 0o600 }).catch(() => {});
  if (r.exitCode === 0 && !r.timedOut) {
    await recordApplied(ctx);
    return null;
  }
  const why = r.notFound ? "nixos-rebuild was not found on PATH" : r.timedOut ? `timed out after ${ctx.config.rebuild.timeoutSeconds} s` : `exit ${r.exitCode}`;
  const logHint = `the full log is in ${posix.join(ctx.config.nixiDir, REBUILD_LOG)}`;
  return new NixiError(
    "REBUILD_FAILED",
    `${argv.join(" ")} failed (${why})${opts.restored ? `; ${opts.restored}` : ""}\n${tail(log, 20)}`,
    opts.hint ? `${logHint}; ${opts.hint}` : logHint,
    { logTail: tail(log, 20) },
  );
}

async function recordApplied(ctx: Ctx): Promise<void> {
  const dir = ctx.config.nixiDir;
  for (const f of OWNED_FILES) {
    const content = await ctx.exec.readFile(posix.join(dir, f));
    const keep = posix.join(dir, APPLIED_DIR, f);
    if (content === null) await ctx.exec.remove(keep, { privileged: true });
    else await ctx.exec.writeFile(keep, content, { privileged: true });
  }
}

async function keepFailed(ctx: Ctx, writes: Map<string, string | null>): Promise<void> {
  for (const [path, content] of writes) {
    if (content !== null) await ctx.exec.writeFile(posix.join(ctx.config.nixiDir, FAILED_DIR, posix.basename(path)), content, { privileged: true }).catch(() => {});
  }
}

/** Flakes ignore untracked files: add nixi's files when /etc/nixos is a git repo with a flake.
 *  The glob pathspec keeps `*` from matching inside the dot-folders. */
async function gitAddIfFlake(ctx: Ctx): Promise<void> {
  const etc = posix.dirname(ctx.config.configurationNix);
  if (!(await ctx.exec.stat(posix.join(etc, "flake.nix"))) || !(await ctx.exec.stat(posix.join(etc, ".git")))) return;
  const rel = posix.relative(etc, ctx.config.nixiDir);
  if (rel.startsWith("..")) return;
  const r = await ctx.exec.run(["git", "-C", etc, "add", "-A", "--", posix.join(rel, STATE_FILE), `:(glob)${posix.join(rel, "*.nix")}`], { privileged: true });
  if (r.exitCode !== 0) ctx.warn(`git add in ${etc} failed: ${tail(r.stderr, 2)}`);
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
