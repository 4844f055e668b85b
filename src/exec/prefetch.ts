// An executor that answers reads it already has: the transaction's first round trip reads, besides
// nixi's files, what the checks after it look at (configuration.nix, flake.nix, /etc/NIXOS,
// /srv/.credentials), so those checks cost no exec call of their own (#11: a remote change in a
// bounded number of calls). A path the executor changes afterwards, or one below it, is read anew.
import type { BatchOp, Executor, FileStat } from "../core/executor.js";
import { registerSecretFile } from "./secret-files.js";

export interface Prefetched {
  reads: Map<string, string | null>;
  stats: Map<string, FileStat | null>;
}

const touched = (op: BatchOp): string[] => ("path" in op ? [op.path] : [op.from, op.to]);
const within = (p: string, dir: string) => p === dir || p.startsWith(dir + "/");

export function withPrefetched(exec: Executor, known: Prefetched): Executor {
  const forget = (paths: string[]) => {
    for (const m of [known.reads, known.stats]) for (const k of [...m.keys()]) if (paths.some((p) => within(p, k) || within(k, p))) m.delete(k);
  };
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: no such file or directory, scandir '${path}'`), { code: "ENOENT" });
  return new Proxy(exec, {
    get(target, prop) {
      const orig = Reflect.get(target, prop, target);
      if (typeof orig !== "function") return orig;
      switch (prop) {
        case "readFile":
          return async (p: string) => (known.reads.has(p) ? known.reads.get(p)! : target.readFile(p));
        case "stat":
          return async (p: string) => (known.stats.has(p) ? known.stats.get(p)! : target.stat(p));
        case "readdir":
          return async (p: string) => (known.stats.has(p) && known.stats.get(p) === null ? Promise.reject(enoent(p)) : target.readdir(p));
        case "writeFile":
        case "mkdir":
        case "remove":
        case "chmod":
          return (p: string, ...rest: unknown[]) => {
            forget([p]);
            return (orig as (...a: unknown[]) => unknown).call(target, p, ...rest);
          };
        case "rename":
          return (from: string, to: string) => {
            forget([from, to]);
            return target.rename(from, to);
          };
        case "batch":
          return (ops: BatchOp[], o?: unknown) => {
            forget(ops.filter((x) => x.op !== "read" && x.op !== "stat" && x.op !== "exists").flatMap(touched));
            return target.batch(ops, o as never);
          };
        default:
          return orig.bind(target);
      }
    },
  });
}

/** Read commands that need several files (issue 11): read `reads` and stat `stats` in ONE batch; the
 *  executor returned answers those from memory and everything else as before. The steps are
 *  optional (run without sudo): one that failed for another reason than "no such file" (a non-root
 *  node reading /etc/shadow) is not kept, so asking for it runs the executor's own call with its
 *  sudo retry and its error, as without the prefetch. */
export async function prefetchFiles(exec: Executor, reads: string[], stats: string[] = []): Promise<Executor> {
  const r = [...new Set(reads)];
  const s = [...new Set(stats)];
  if (r.length + s.length === 0) return exec;
  const res = await exec.batch([...r.map((path) => ({ op: "read" as const, path, optional: true })), ...s.map((path) => ({ op: "stat" as const, path, optional: true }))]);
  const known: Prefetched = { reads: new Map(), stats: new Map() };
  r.forEach((path, i) => {
    if (!res[i]?.ok || res[i].error) return;
    const content = res[i].content ?? null;
    registerSecretFile(path, content);
    known.reads.set(path, content);
  });
  s.forEach((path, i) => {
    const x = res[r.length + i];
    if (x?.ok && !x.error) known.stats.set(path, x.stat ?? null);
  });
  return withPrefetched(exec, known);
}
