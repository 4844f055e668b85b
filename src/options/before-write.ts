// The transaction's check before anything is written: [options] entries that changed (or all of
// them for `system rebuild`, which applies a hand-edited state.toml) against the catalog, then one
// evaluation of the new configuration on a NixOS machine. Loaded only when a change writes files.
import type { Ctx } from "../core/context.js";
import type { State } from "../nixos/state.js";
import { NixiError } from "../core/errors.js";
import { parseOptionPath } from "../nixos/modules/options.js";

export interface EvaluationReport {
  evaluated: boolean;
  seconds?: number;
  skipped?: string;
}

export interface BeforeWrite {
  before: State;
  draft: State;
  files: Map<string, string>;
  /** `system rebuild`: every [options] entry is checked, not only the changed ones. */
  all: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function checkBeforeWrite(ctx: Ctx, w: BeforeWrite): Promise<EvaluationReport> {
  const options = (w.draft.options ?? {}) as Record<string, unknown>;
  const old = (w.before.options ?? {}) as Record<string, unknown>;
  const keys = Object.keys(options).filter((k) => w.all || !same(options[k], old[k]));
  const paths: string[][] = [];
  for (const k of Object.keys(options)) {
    try {
      paths.push(parseOptionPath(k, "option path in state.toml [options]", 1));
    } catch {
      // the renderer reports a bad key
    }
  }
  if (keys.length) {
    const { verifyWithCatalog } = await import("./verify.js");
    for (const k of keys) {
      const segs = parseOptionPath(k, "option path in state.toml [options]", 1);
      for (const v of verifyWithCatalog(segs, normalise(options[k]))) {
        if (v.kind === "bad") throw new NixiError("STATE_INVALID", `state.toml [options]: ${v.why.startsWith(v.path) ? v.why : `${v.path} does not take this value, ${v.why}`}`, v.hint ?? "fix it with `nixi config set`/`nixi config unset` or edit state.toml");
        if (v.kind === "unknown" && w.all) ctx.warn(`state.toml [options] ${k}: ${v.why}${v.hint ? ` (${v.hint})` : ""}`);
      }
    }
  }
  const { evaluationAvailable, evaluateNewFiles } = await import("./evaluate.js");
  const avail = await evaluationAvailable(ctx);
  if (!avail.ok) {
    // said plainly where options were checked; a verbose line for other changes (fw open under --root)
    const say = keys.length ? ctx.log : ctx.debug;
    say(`full evaluation skipped: ${avail.why}; ${keys.length ? "options were checked against nixi's catalog only" : "the change was not evaluated"}`);
    return { evaluated: false, skipped: avail.why };
  }
  ctx.log("evaluating the new configuration ...");
  const { seconds } = await evaluateNewFiles(ctx, avail, w.files, paths);
  ctx.log(`the new configuration evaluates (${seconds} s)`);
  return { evaluated: true, seconds };
}

/** TOML values as JSON ones (integers arrive as bigint only when huge; dates as strings). */
function normalise(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}
