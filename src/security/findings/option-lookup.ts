// What nixi's own state says about an option: [options] (config set) and [hardening] (security
// harden). Hand-written Nix outside nixi's folder is not seen; docs/security.md says so.
import type { State } from "../../nixos/state.js";
import { parseOptionPath } from "../../nixos/modules/options.js";
import { fixById } from "../hardening/fixes.js";

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/** Every (path, value) nixi's state sets, flattened to leaves where a value is an attribute set. */
export function optionEntries(state: State): Array<{ path: string[]; value: unknown; source: "options" | "hardening" }> {
  const out: Array<{ path: string[]; value: unknown; source: "options" | "hardening" }> = [];
  const opts = isObj(state.options) ? state.options : {};
  const walk = (path: string[], v: unknown, source: "options" | "hardening") => {
    if (isObj(v)) for (const [k, x] of Object.entries(v)) walk([...path, k], x, source);
    else out.push({ path, value: v, source });
  };
  for (const [key, v] of Object.entries(opts)) {
    let segs: string[];
    try {
      segs = parseOptionPath(key, "option path", 1);
    } catch {
      continue; // the renderer reports a bad key
    }
    walk(segs, v, "options");
  }
  for (const id of hardeningIds(state)) for (const o of fixById(id)?.options ?? []) out.push({ path: o.path, value: o.value, source: "hardening" });
  return out;
}

export function hardeningIds(state: State): string[] {
  const h = state.hardening;
  return isObj(h) && Array.isArray(h.fixes) ? h.fixes.filter((x): x is string => typeof x === "string") : [];
}

/** The value nixi's state sets at `path` (options win over hardening, as config set is explicit), or undefined. */
export function optionValue(state: State, path: string): unknown {
  const want = path.split(".");
  const hit = (src: string) => optionEntries(state).find((e) => e.source === src && e.path.length === want.length && e.path.every((s, i) => s === want[i]));
  return (hit("options") ?? hit("hardening"))?.value;
}

/** Entries whose path matches a pattern where "*" is any one segment. */
export function optionsMatching(state: State, pattern: string): Array<{ path: string[]; value: unknown }> {
  const want = pattern.split(".");
  return optionEntries(state).filter((e) => e.path.length >= want.length && want.every((s, i) => s === "*" || s === e.path[i]));
}
