// A change is a transaction: lock -> load -> mutate -> render -> plan -> confirm -> write
// (keeping the previous generation) -> one rebuild -> restore byte for byte on failure.
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import type { MutateResult } from "../core/command.js";
import type { FileChange, Plan } from "../core/plan.js";
import { NixiError } from "../core/errors.js";
import { confirmPlan } from "../core/confirm.js";
import { emptyState, loadState, parseState, type State } from "./state.js";
import type { BatchOp, BatchResult, FileStat } from "../core/executor.js";
import { acquireLock, releaseLock, withSignalCleanup, type Lock } from "./lock.js";
import { planHooks } from "./plan-hooks.js";
import { uniqueFindings } from "../core/findings.js";
export { loadState } from "./state.js";
import { generateFiles, OWNED_FILES, STATE_FILE } from "./generate.js";
import { redact } from "../core/redact.js";
import { assertOnlyGeneratedFiles } from "./owned-check.js";
import { needsPrivateChmod } from "./folder-mode.js";
import { shJoin } from "../exec/quote.js";
import { checkStateTables } from "./state-check.js";
import { checkChangeTakesEffect, stagedUnderRoot, stagedUnderRootNote } from "./takes-effect.js";
import { namedExports } from "../core/lazy-import.js";
import { withPrefetched } from "../exec/prefetch.js";
import { SECRET_DIR } from "../exec/secret-files.js";

/** Bookkeeping inside nixi's folder: dot-folders, so the visible files are state.toml and modules. */
export { LOCK_DIR } from "./lock.js";
export const PREVIOUS_DIR = ".previous"; // the generation before the last write
export const APPLIED_DIR = ".applied"; // what the last successful rebuild used
export const FAILED_DIR = ".failed"; // what a failed rebuild tried, for inspection
export const REBUILD_LOG = ".rebuild.log";

export interface TransactionResult<D = unknown> {
  changed: boolean;
  plan: Plan;
  data?: D;
  warnings: string[];
  rebuilt: boolean;
}

type Snapshot = Map<string, string | null>; // machine path -> content (null: absent)

/** What a change holds while it runs under the lock. */
export interface Held {
  lock: Lock;
  /** Results of the reads taken with the lock (same order as asked). */
  results: BatchResult[];
  /** Set while files are written: what a signal runs before the lock is released. */
  undo?: () => Promise<void>;
}

/** Take nixi's lock for the machine (in the same round trip as `reads`), run fn, release.
 *  Folders created only to hold the lock are removed again when they end up empty, so a declined
 *  or failed change leaves the tree as it was. A signal meanwhile runs `held.undo` and releases. */
export async function withLock<T>(ctx: Ctx, fn: (held: Held) => Promise<T>, reads: BatchOp[] = []): Promise<T> {
  const { lock, results } = await acquireLock(ctx, reads);
  const held: Held = { lock, results };
  try {
    return await withSignalCleanup(
      ctx,
      async () => {
        if (held.undo) await held.undo();
        await releaseLock(ctx, lock);
      },
      () => fn(held),
    );
  } finally {
    await releaseLock(ctx, lock);
  }
}

/** Run a batch; the first failure becomes a NixiError naming the step. */
export async function batchChecked(ctx: Ctx, ops: BatchOp[], what: string): Promise<BatchResult[]> {
  const r = await ctx.exec.batch(ops, { privileged: true });
  const i = r.findIndex((x) => !x.ok);
  if (i >= 0) {
    const o = ops[i];
    const target = "path" in o ? o.path : `${o.from} -> ${o.to}`;
    throw new NixiError("FAILED", `${what} on ${ctx.node} failed at ${o.op} ${target}: ${r[i].error ?? "unknown error"}`);
  }
  return r;
}

/** Folders on the way to `dir` (outermost first), for a batch of stats. */
function ancestorsOf(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== "/"; d = posix.dirname(d)) out.unshift(d);
  return out;
}

export async function unifiedDiff(path: string, before: string | null, after: string | null): Promise<string> {
  const { createTwoFilesPatch } = await namedExports(import("diff"));
  const patch = createTwoFilesPatch(before === null ? "/dev/null" : `a${path}`, after === null ? "/dev/null" : `b${path}`, before ?? "", after ?? "", "", "", { context: 3 });
  // drop the "Index:"/"====" preamble jsdiff adds
  return redact(patch.split("\n").filter((l) => !l.startsWith("====") && !l.startsWith("Index:")).join("\n"));
}

export interface ChangeOptions {
  /** Rebuild even when no file changes (system rebuild). */
  forceRebuild?: boolean;
}

/** Run a declarative change. `mutate` edits the draft state; everything else is the engine's.
 *  Over any executor it costs a bounded number of round trips (issue 11): lock + read every owned
 *  file; (extra reads, only when the mutation names extra files, folders or removals); write the
 *  previous generation (hard links) and the new files; the rebuild; log + applied + unlock. */
export async function runChange<D>(
  ctx: Ctx,
  mutate: (state: State) => Promise<MutateResult<D>> | MutateResult<D>,
  opts: ChangeOptions = {},
): Promise<TransactionResult<D>> {
  const dir = ctx.config.nixiDir;
  const ownedPaths = OWNED_FILES.map((f) => posix.join(dir, f));
  const etc = posix.dirname(ctx.config.configurationNix);
  // what the checks after the first round trip read (is nixi imported? is this NixOS? stored
  // secrets to know before showing build output), read in that round trip too
  const prefetchReads = [ctx.config.configurationNix, posix.join(etc, "flake.nix")];
  const prefetchStats = [etc, posix.join(posix.dirname(etc), "NIXOS"), SECRET_DIR];
  const reads: BatchOp[] = [
    ...ownedPaths.map((path) => ({ op: "read" as const, path })),
    { op: "exists", path: posix.join(etc, "flake.nix") },
    { op: "exists", path: posix.join(etc, ".git") },
    ...prefetchReads.map((path) => ({ op: "read" as const, path, optional: true })),
    ...prefetchStats.map((path) => ({ op: "stat" as const, path, optional: true })),
  ];
  const base = ctx;
  const body = async (held: Held | null, results: BatchResult[]): Promise<TransactionResult<D>> => {
    const n = ownedPaths.length + 2;
    ctx = {
      ...base,
      // what could not be read (a non-root node's sudo rules cover only nixi's paths) is read again when asked
      exec: withPrefetched(base.exec, {
        reads: new Map(prefetchReads.flatMap((p, i): Array<[string, string | null]> => (results[n + i].error ? [] : [[p, results[n + i].content ?? null]]))),
        stats: new Map(prefetchStats.flatMap((p, i): Array<[string, FileStat | null]> => (results[n + prefetchReads.length + i].error ? [] : [[p, results[n + prefetchReads.length + i].stat ?? null]]))),
      }),
    };
    const current: Snapshot = new Map(ownedPaths.map((p, i) => [p, results[i].content ?? null]));
    const isFlake = !!results[ownedPaths.length].exists && !!results[ownedPaths.length + 1].exists;
    const statePath = posix.join(dir, STATE_FILE);
    const stateText = current.get(statePath) ?? null;
    const before = stateText === null ? emptyState() : parseState(stateText, statePath);
    await checkStateTables(ctx, before);
    const draft: State = structuredClone(before);
    const result = await mutate(draft);
    const warnings = [...(result.warnings ?? [])];

    const generated = generateFiles(draft);
    const writes = new Map<string, string | null>(); // path -> new content (null: delete)
    for (const path of ownedPaths) {
      const next = generated.get(posix.basename(path)) ?? null;
      if (current.get(path) !== next) writes.set(path, next);
    }
    // A mutation that leaves the state as it was renders nothing (a command-only change on a
    // fresh machine must not create nixi's folder); `system rebuild` re-renders on purpose.
    if (JSON.stringify(before) === JSON.stringify(draft)) {
      if (!opts.forceRebuild) writes.clear();
      // never rewrite a (possibly hand-formatted) state.toml whose content did not change
      else if (current.get(statePath) !== null) writes.delete(statePath);
    }

    assertOnlyGeneratedFiles(current, writes.keys());
    // extra files, the folders of mkdirs and the removals: one more round trip, only when asked for
    const extraFiles = result.files ?? [];
    const folderChecks = [...new Set((result.mkdirs ?? []).flatMap((m) => ancestorsOf(m.path)))];
    const removalsAsked = result.removals ?? [];
    const extraOps: BatchOp[] = [
      ...extraFiles.map((f) => ({ op: "read" as const, path: f.path })),
      ...folderChecks.map((path) => ({ op: "stat" as const, path })),
      ...removalsAsked.map((path) => ({ op: "stat" as const, path })),
    ];
    const extraResults = extraOps.length ? await ctx.exec.batch(extraOps, { privileged: true }) : [];
    const bad = extraResults.find((x) => !x.ok);
    if (bad) throw new NixiError("FAILED", `reading on ${ctx.node} failed: ${bad.error}`);
    const extraSnap: Snapshot = new Map(extraFiles.map((f, i) => [f.path, extraResults[i].content ?? null]));
    const exists = new Map(folderChecks.map((p, i) => [p, !!extraResults[extraFiles.length + i].stat]));
    const changedExtra = extraFiles.filter((f) => extraSnap.get(f.path) !== f.content);
    const mkdirs: NonNullable<MutateResult["mkdirs"]> = [];
    const newFolders: string[] = []; // every folder the mkdirs will create, outermost first
    const chmods: NonNullable<MutateResult["mkdirs"]> = []; // existing private folders with a looser mode
    for (const m of result.mkdirs ?? []) {
      const missing = ancestorsOf(m.path).filter((d) => !exists.get(d));
      if (missing.length === 0 && (await needsPrivateChmod(ctx, m.path, m.mode))) chmods.push(m);
      if (missing.length === 0) continue;
      mkdirs.push(m);
      newFolders.push(...missing.filter((d) => !newFolders.includes(d)));
    }
    const removals = removalsAsked.filter((_, i) => !!extraResults[extraFiles.length + folderChecks.length + i].stat);

    // Diffs are shown by a dry run, a prompt, a refused confirmation and the JSON envelope; a human
    // run with --yes shows none, so it does not load the diff library (start-up, bench/startup.mjs).
    const wantDiffs = ctx.flags.json || ctx.flags.dryRun || ctx.flags.verbose || !ctx.flags.yes;
    const diffOf = async (path: string, before: string | null, after: string | null) => (wantDiffs ? { diff: await unifiedDiff(path, before, after) } : {});
    const files: FileChange[] = [];
    for (const [path, next] of writes) {
      const prev = current.get(path) ?? null;
      files.push({ path, action: prev === null ? "create" : next === null ? "delete" : "modify", ...(await diffOf(path, prev, next)) });
    }
    for (const f of changedExtra) {
      files.push({ path: f.path, action: extraSnap.get(f.path) === null ? "create" : "modify", ...(f.secret ? { secret: true } : await diffOf(f.path, extraSnap.get(f.path) ?? null, f.content)) });
    }
    for (const r of removals) files.push({ path: r, action: "delete" });
    const commands = [...mkdirs.map((m) => `mkdir -p ${m.path}`), ...chmods.map((m) => `chmod ${m.mode!.toString(8)} ${m.path}`), ...(result.commands ?? []).map((c) => c.description ?? shJoin(c.argv))];
    const stateChanged = writes.size > 0;
    const staged = stagedUnderRoot(ctx);
    const rebuild = (stateChanged || !!opts.forceRebuild) && !ctx.flags.noRebuild && !staged;
    if (rebuild) commands.push(`nixos-rebuild ${ctx.config.rebuild.mode}`);
    const summary = [...result.summary];
    if (stateChanged && ctx.flags.noRebuild) summary.push("staged only (--no-rebuild): apply later with `nixi system rebuild`");
    else if ((stateChanged || opts.forceRebuild) && staged) summary.push(stagedUnderRootNote(ctx.root));
    await checkChangeTakesEffect(ctx, { rebuild, staged, stateChanged, commands: (result.commands ?? []).map((c) => c.argv) });
    const plan: Plan = { summary, files, commands, rebuild };
    await planHooks(ctx, plan, { before, after: draft, rebuild });
    // insecure-request findings: what the command says, plus what the new state adds (src/security/findings)
    const { newFindings } = await import("../security/findings/index.js");
    const findings = uniqueFindings([...(result.findings ?? []), ...newFindings(before, draft)]);
    if (findings.length) plan.findings = findings;

    const changed = stateChanged || changedExtra.length > 0 || mkdirs.length > 0 || chmods.length > 0 || removals.length > 0 || (result.commands?.length ?? 0) > 0 || rebuild;
    if (!changed) return { changed: false, plan, data: result.data, warnings, rebuilt: false };
    // Option checks and one evaluation of the new configuration, before anything is written.
    if (writes.size > 0 && !ctx.flags.dryRun) {
      const { checkBeforeWrite } = await import("../options/before-write.js");
      const evaluation = await checkBeforeWrite(ctx, { before, draft, files: generated, all: !!opts.forceRebuild });
      if (result.data && typeof result.data === "object" && "evaluation" in result.data) Object.assign(result.data, { evaluation });
    }

    if (!(await confirmPlan(ctx, plan)) || !held) return { changed: false, plan, data: result.data, warnings, rebuilt: false };

    // Round trip 2: the previous generation of nixi's files as hard links in .previous/ (no new
    // disk space), then the new files (temp file + rename), folders and extra files.
    const prevOf = (p: string) => posix.join(dir, PREVIOUS_DIR, posix.basename(p));
    const writeOps: BatchOp[] = [{ op: "mkdir", path: posix.join(dir, PREVIOUS_DIR) }];
    for (const p of ownedPaths) writeOps.push({ op: "link", from: p, to: prevOf(p) });
    const firstWrite = writeOps.length;
    for (const [path, content] of writes) writeOps.push(content === null ? { op: "remove", path } : { op: "write", path, content, mode: 0o644 });
    // folders first, so a file inside one (e.g. /srv/.credentials/x.env) gets the folder's mode, not a default one
    for (const m of mkdirs) writeOps.push({ op: "mkdir", path: m.path, mode: m.mode });
    for (const f of changedExtra) writeOps.push({ op: "write", path: f.path, content: f.content, mode: f.mode ?? 0o644 });
    // nothing runs after the writes: release the lock in the same round trip
    const lastTrip = !rebuild && !isFlake && !(result.commands?.length) && removals.length === 0 && chmods.length === 0;
    if (lastTrip) writeOps.push(...held.lock.releaseOps());

    let writeResults: BatchResult[] | null = null;
    const writing = ctx.exec.batch(writeOps, { privileged: true }).then((r) => (writeResults = r));
    // Put back what was written: owned files by renaming their .previous link back (needs no
    // space, so it works on a full disk), extra files from memory, new folders removed when empty.
    const undoOps = (failedRebuild: boolean): BatchOp[] => {
      const ops: BatchOp[] = [];
      let i = firstWrite;
      for (const [path] of writes) {
        const r: BatchResult | undefined = writeResults?.[i++];
        const old = current.get(path) ?? null;
        if (writeResults === null) {
          // the round trip did not answer: whether .previous was linked is unknown, so put the old
          // content back from memory (needs space, but can never put an older generation back)
          ops.push(old === null ? { op: "remove", path } : { op: "write", path, content: old, mode: 0o644 });
          continue;
        }
        if (!r?.ok) continue; // never written (a write that fails leaves the file as it was)
        if (old === null) ops.push({ op: "remove", path });
        else ops.push({ op: "rename", from: prevOf(path), to: path }, { op: "link", from: path, to: prevOf(path) });
      }
      for (const f of changedExtra) {
        const old = extraSnap.get(f.path);
        ops.push(old === null || old === undefined ? { op: "remove", path: f.path } : { op: "write", path: f.path, content: old, mode: f.mode ?? 0o644 });
      }
      for (const d of [...newFolders].reverse()) ops.push({ op: "rmdir", path: d });
      if (failedRebuild) for (const [path, content] of writes) if (content !== null) ops.push({ op: "write", path: posix.join(dir, FAILED_DIR, posix.basename(path)), content });
      return ops;
    };
    const undo = async (failedRebuild: boolean, tail: BatchOp[] = []): Promise<void> => {
      const ops = undoOps(failedRebuild);
      const restoreSteps = ops.length - (failedRebuild ? [...writes.values()].filter((c) => c !== null).length : 0);
      const r = await ctx.exec.batch([...ops, ...tail, ...held.lock.releaseOps()], { privileged: true }).catch((e) => [{ ok: false, error: e.message } as BatchResult]);
      held.lock.released = r.length === ops.length + tail.length + held.lock.releaseOps().length && r.every((x) => x.ok);
      const broken = r.slice(0, restoreSteps).findIndex((x) => !x.ok);
      if (broken >= 0 || r.length < restoreSteps) {
        const o = ops[Math.max(0, broken)];
        throw new NixiError(
          "RESTORE_INCOMPLETE",
          `the restore of nixi's files on ${ctx.node} did NOT complete (${o ? `${o.op} ${"path" in o ? o.path : o.to}` : "batch"}: ${r[Math.max(0, broken)]?.error ?? "no answer"}); ` +
            `the machine may hold a mix of old and new files`,
          `the previous generation of nixi's files is in ${posix.join(dir, PREVIOUS_DIR)}/; copy it back by hand (free disk space first if the disk is full)`,
        );
      }
    };
    held.undo = async () => {
      await writing.catch(() => undefined);
      await undo(false);
    };
    let wr: BatchResult[];
    try {
      wr = await writing;
    } catch (e) {
      held.undo = undefined;
      await undo(false);
      throw e;
    }
    const wfail = wr.findIndex((x) => !x.ok);
    if (wfail >= 0) {
      held.undo = undefined;
      const o = writeOps[wfail];
      const failure = new NixiError("FAILED", `writing nixi's files on ${ctx.node} failed at ${"path" in o ? o.path : o.to}: ${wr[wfail].error}; nothing was applied and nixi's files were restored`);
      await undo(false);
      throw failure;
    }
    if (lastTrip) held.lock.released = true;
    try {
      // existing private folders with a looser mode (/srv/.credentials made 777 by hand) get theirs
      for (const m of chmods) await ctx.exec.chmod(m.path, m.mode!);
      if (isFlake) await gitAdd(ctx);
      for (const c of result.commands ?? []) {
        const r = await ctx.exec.run(c.argv, { privileged: c.privileged });
        if (r.exitCode !== 0) throw new NixiError("FAILED", `${c.argv.join(" ")} failed (exit ${r.exitCode}): ${tail(r.stderr || r.stdout, 5)}`);
      }
    } catch (e) {
      held.undo = undefined;
      await undo(false);
      throw e;
    }

    const after: BatchOp[] = [...removals.map((path) => ({ op: "remove" as const, path, recursive: true })), ...held.lock.releaseOps()];
    if (rebuild) {
      const failure = await rebuildNow(ctx, {
        restored: "nixi's files were restored",
        hint: `what was tried is kept in ${posix.join(dir, FAILED_DIR)}/`,
        thenOps: after,
        undo: (logOp) => undo(true, [logOp]),
      });
      held.undo = undefined;
      // released by the last round trip, or by the node itself after a revert (undo sets it otherwise)
      if (!failure || failure.code === "REVERTED") held.lock.released = true;
      if (failure) throw failure;
    } else if (!lastTrip) {
      held.undo = undefined;
      await batchChecked(ctx, after, "finishing the change");
      held.lock.released = true;
    }
    held.undo = undefined;
    return { changed: true, plan, data: result.data, warnings, rebuilt: rebuild };
  };
  if (ctx.flags.dryRun) return body(null, await batchChecked(ctx, reads, "reading nixi's files"));
  return withLock(ctx, (held) => body(held, held.results), reads);
}

export interface RebuildOptions {
  /** Extra nixos-rebuild arguments (`--upgrade`). */
  args?: string[];
  /** What the caller puts back when the rebuild fails, for the message ("nixi's files were restored"). */
  restored?: string;
  hint?: string;
  /** Steps for the same round trip as the log and .applied on success (removals, unlock). */
  thenOps?: BatchOp[];
  /** On failure: put things back; gets the step that writes the log, to send in the same round trip. */
  undo?: (logOp: BatchOp) => Promise<void>;
}

/** Run nixos-rebuild (mode from config.toml); on success record the applied generation of nixi's
 *  files; keep the redacted log. Returns the error (exit 6, log tail) on failure. */
export async function rebuildNow(ctx: Ctx, opts: RebuildOptions = {}): Promise<NixiError | null> {
  const mode = ctx.config.rebuild.mode;
  const argv = ["nixos-rebuild", mode, ...(opts.args ?? [])];
  ctx.log(`running ${argv.join(" ")} ...`);
  const timeoutMs = ctx.config.rebuild.timeoutSeconds * 1000;
  const { wantsSafeApply, safeRebuild, revertedError } = await import("../remote/safe-apply.js");
  const safe = wantsSafeApply(ctx, mode);
  const { rebuildProgress } = await import("./progress.js");
  const progress = rebuildProgress(ctx);
  const r: import("../remote/safe-apply.js").SafeResult = safe
    ? await safeRebuild(ctx, argv, timeoutMs)
    : await ctx.exec.run(argv, { privileged: true, timeoutMs, onStdout: progress.out, onStderr: progress.err });
  // the node reverts itself (generation, nixi's files, lock): nothing to undo from here
  if (r.reverted) return revertedError(ctx);
  const exec = r.fresh ?? ctx.exec;
  const log = (r.stdout + (r.stderr ? "\n" + r.stderr : "")).trim();
  // the build may print a credentials file this run never read: know every stored secret before keeping or showing its log
  await (await import("../exec/secret-files.js")).registerStoredSecrets(ctx.exec);
  // 600: redaction only knows the secrets of this run and the usual shapes; build output can hold more
  const logOp: BatchOp = { op: "write", path: posix.join(ctx.config.nixiDir, REBUILD_LOG), content: redact(log) + "\n", mode: 0o600 };
  if (r.exitCode === 0 && !r.timedOut) {
    // the log first: a full disk must not stop the applied generation (hard links) or the unlock
    // build and dry-activate apply nothing: .applied stays what the running system used
    const applied = mode === "build" || mode === "dry-activate" ? [] : appliedOps(ctx);
    const ok = await exec.batch([...applied, ...(opts.thenOps ?? []), logOp], { privileged: true });
    if (exec !== ctx.exec) await exec.close().catch(() => undefined);
    const i = ok.findIndex((x, k) => !x.ok && k < ok.length - 1);
    if (i >= 0) ctx.warn(`recording the applied generation on ${ctx.node} failed: ${ok[i].error}`);
    return null;
  }
  const why = r.notFound ? "nixos-rebuild was not found on PATH" : r.timedOut ? `timed out after ${ctx.config.rebuild.timeoutSeconds} s` : `exit ${r.exitCode}`;
  const logHint = `the full log is in ${posix.join(ctx.config.nixiDir, REBUILD_LOG)}`;
  const failure = new NixiError(
    "REBUILD_FAILED",
    `${argv.join(" ")} failed (${why})${opts.restored ? `; ${opts.restored}` : ""}\n${tail(log, 20)}`,
    opts.hint ? `${logHint}; ${opts.hint}` : logHint,
    { logTail: tail(log, 20) },
  );
  if (opts.undo) await opts.undo(logOp);
  else await ctx.exec.batch([logOp], { privileged: true }).catch(() => undefined);
  return failure;
}

/** .applied/ mirrors nixi's files as hard links (a file absent now is removed there). */
function appliedOps(ctx: Ctx): BatchOp[] {
  const dir = ctx.config.nixiDir;
  return [{ op: "mkdir", path: posix.join(dir, APPLIED_DIR) }, ...OWNED_FILES.map((f) => ({ op: "link" as const, from: posix.join(dir, f), to: posix.join(dir, APPLIED_DIR, f) }))];
}

/** Flakes ignore untracked files: add nixi's files when /etc/nixos is a git repo with a flake.
 *  The glob pathspec keeps `*` from matching inside the dot-folders. */
async function gitAdd(ctx: Ctx): Promise<void> {
  const etc = posix.dirname(ctx.config.configurationNix);
  const rel = posix.relative(etc, ctx.config.nixiDir);
  if (rel.startsWith("..")) return;
  // cwd, not `git -C`: the executor maps a cwd under --root DIR; `-C /etc/nixos` would be the host's folder
  const r = await ctx.exec.run(["git", "add", "-A", "--", posix.join(rel, STATE_FILE), `:(glob)${posix.join(rel, "*.nix")}`], { privileged: true, cwd: etc, cwdOnly: true });
  if (r.exitCode !== 0) ctx.warn(`git add in ${etc} failed: ${tail(r.stderr, 2)}`);
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
