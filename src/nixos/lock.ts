// nixi's lock on a machine (`.lock/` in nixi's folder): an exclusive mkdir, taken in the same round
// trip as the reads of the change. The lock records its holder (PID, host, start time), so a lock
// whose holder died on this host is taken over at once, not after an hour (issue 9 item 9).
// While it is held, SIGINT/SIGTERM/SIGHUP run the change's undo and release the lock before exiting.
import { posix } from "node:path";
import { nodeOs } from "../core/builtins.js";
import type { Ctx } from "../core/context.js";
import type { BatchOp, BatchResult } from "../core/executor.js";
import { NixiError } from "../core/errors.js";

export const LOCK_DIR = ".lock";
const LOCK_WAIT_MS = 120_000;

export interface Holder {
  pid: number;
  host: string;
  node?: string;
  started?: string;
}

export function holderText(node: string): string {
  return `pid=${process.pid}\nhost=${nodeOs().hostname()}\nnode=${node}\nstarted=${new Date().toISOString()}\n`;
}

export function parseHolder(text: string | null | undefined): Holder | null {
  if (!text) return null;
  const kv = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([a-z]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1], m[2]);
  }
  const pid = Number(kv.get("pid"));
  const host = kv.get("host");
  if (!Number.isInteger(pid) || pid <= 0 || !host) return null;
  return { pid, host, node: kv.get("node"), started: kv.get("started") };
}

/** The holder ran on this host and its process is gone. */
export function holderIsDead(h: Holder): boolean {
  if (h.host !== nodeOs().hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e: any) {
    return e?.code === "ESRCH";
  }
}

export interface Lock {
  path: string;
  /** Folders on the way to nixi's folder that did not exist before the lock was taken. */
  created: string[];
  released: boolean;
  /** The steps that release the lock (appended to the change's last batch). */
  releaseOps(): BatchOp[];
}

/** Folders from / down to dir, outermost first ("/etc", "/etc/nixos", "/etc/nixos/nixi"). */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== "/"; d = posix.dirname(d)) out.unshift(d);
  return out;
}

/**
 * Take the lock and run `reads` in the same round trip. Returns the lock and the results of `reads`.
 */
export async function acquireLock(ctx: Ctx, reads: BatchOp[]): Promise<{ lock: Lock; results: BatchResult[] }> {
  const dir = ctx.config.nixiDir;
  const path = posix.join(dir, LOCK_DIR);
  const folders = ancestors(dir);
  const start = Date.now();
  let delay = 20;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const ops: BatchOp[] = [...folders.map((p) => ({ op: "exists" as const, path: p })), { op: "lock", path, holder: holderText(ctx.node) }, ...reads];
    const r = await ctx.exec.batch(ops, { privileged: true });
    const lockResult = r[folders.length];
    if (lockResult.ok) {
      const created = folders.filter((_, i) => r[i].ok && r[i].exists === false);
      const results = r.slice(folders.length + 1);
      const failed = results.find((x) => !x.ok);
      const lock: Lock = {
        path,
        created,
        released: false,
        releaseOps: () => [{ op: "remove", path, recursive: true }, ...[...created].reverse().map((d) => ({ op: "rmdir" as const, path: d }))],
      };
      if (failed) {
        await releaseLock(ctx, lock);
        throw new NixiError("FAILED", `reading nixi's files on ${ctx.node} failed: ${failed.error}`);
      }
      return { lock, results };
    }
    if (!lockResult.held) throw new NixiError("FAILED", `cannot take nixi's lock ${path} on ${ctx.node}: ${lockResult.error ?? "unknown error"}`);
    const holder = parseHolder(lockResult.content);
    if (holder && holderIsDead(holder)) {
      ctx.warn(`removing the lock ${path} of nixi PID ${holder.pid} on ${holder.host}, which is no longer running`);
      await forceRemove(ctx, path);
      continue;
    }
    // without a holder on this host: a lock older than the longest rebuild belongs to a dead process
    const since = holder?.started ? Date.parse(holder.started) : (await ctx.exec.stat(path))?.mtimeMs;
    if (since !== undefined && Number.isFinite(since) && Date.now() - since > (ctx.config.rebuild.timeoutSeconds + 120) * 1000) {
      ctx.warn(`removing a stale lock ${path}${holder ? ` (nixi PID ${holder.pid} on ${holder.host})` : ""}`);
      await forceRemove(ctx, path);
      continue;
    }
    if (Date.now() - start > LOCK_WAIT_MS) {
      const who = holder ? ` by nixi PID ${holder.pid} on ${holder.host}${holder.started ? ` since ${holder.started}` : ""}` : "";
      throw new NixiError("LOCKED", `another nixi is changing this machine (lock ${path} held${who}; waited ${Math.round((Date.now() - start) / 1000)} s)`, `if no nixi is running, remove ${path}`);
    }
    await new Promise((res) => setTimeout(res, delay + Math.random() * delay));
    delay = Math.min(delay * 1.5, 250);
  }
  throw new NixiError("LOCKED", `could not take the lock ${path}`);
}

async function forceRemove(ctx: Ctx, path: string): Promise<void> {
  const r = await ctx.exec.batch([{ op: "remove", path, recursive: true }], { privileged: true });
  if (!r[0].ok) throw new NixiError("FAILED", `cannot remove the lock ${path}: ${r[0].error}`);
}

/** Release (if not released already by the change's last batch). Never throws. */
export async function releaseLock(ctx: Ctx, lock: Lock): Promise<void> {
  if (lock.released) return;
  lock.released = true;
  await ctx.exec.batch(lock.releaseOps(), { privileged: true }).catch(() => undefined);
}

// ------------------------------------------------------------------ signals

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/**
 * While `fn` runs, a SIGINT/SIGTERM/SIGHUP runs `cleanup()` (undo what was written, release the lock)
 * and exits 128+signal. A second signal exits at once.
 */
export async function withSignalCleanup<T>(ctx: Ctx, cleanup: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  let cleaning = false;
  const handlers = new Map<string, () => void>();
  for (const [sig, num] of Object.entries(SIGNALS)) {
    const h = () => {
      if (cleaning) process.exit(128 + num);
      cleaning = true;
      try {
        ctx.io.stderr.write(`nixi: ${sig}: restoring nixi's files and releasing the lock ...\n`);
      } catch {
        /* stderr may be gone (SIGHUP) */
      }
      cleanup()
        .catch((e) => {
          try {
            ctx.io.stderr.write(`nixi: the restore after ${sig} did not complete: ${e?.message ?? e}\n`);
          } catch {
            /* ignore */
          }
        })
        .finally(() => process.exit(128 + num));
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  try {
    return await fn();
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
