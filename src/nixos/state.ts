// state.toml: the desired state, source of truth, hand-editable. Each area owns one table.
import { parse as parseToml, stringify as stringifyToml, TomlError } from "smol-toml";
import { NixiError } from "../core/errors.js";
import type { Ctx } from "../core/context.js";
import { at, keyLine } from "../core/toml-lines.js";

/** Top-level tables by area key (firewall, containers, packages, timers, options, ...). */
export type State = { version: number } & Record<string, any>;

export const STATE_VERSION = 1;
export const STATE_HEADER = `# nixi desired state. nixi renders the .nix files in this folder from it.
# Hand edits are fine; run \`nixi system rebuild\` to apply them.
`;

export const emptyState = (): State => ({ version: STATE_VERSION });

export function parseState(text: string, path: string): State {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      throw new NixiError(
        "STATE_INVALID",
        `${path}:${e.line}:${e.column}: ${e.message.split("\n")[0]}`,
        "fix the file by hand (nixi never overwrites a broken state.toml)",
      );
    }
    throw e;
  }
  const version = raw.version ?? STATE_VERSION;
  if (version !== STATE_VERSION) {
    throw new NixiError("STATE_INVALID", `${path}: unsupported state version ${String(version)} (this nixi reads version ${STATE_VERSION})`);
  }
  const proto = findKey(raw, "__proto__");
  if (proto) {
    throw new NixiError("STATE_INVALID", `${at(path, keyLine(text, "__proto__"))}: the key "__proto__" (in ${proto}) is not allowed`, "remove it by hand; nothing was changed");
  }
  return { ...raw, version: STATE_VERSION } as State;
}

/** Where a key appears in parsed TOML ("options", "containers.web"), or null. */
function findKey(v: unknown, key: string, where = ""): string | null {
  if (!v || typeof v !== "object") return null;
  for (const k of Object.getOwnPropertyNames(v)) {
    const here = where ? `${where}.${k}` : k;
    if (k === key) return where || "the top level";
    const found = findKey((v as Record<string, unknown>)[k], key, here);
    if (found) return found;
  }
  return null;
}

/** Deterministic: keys sorted at every level, empty tables dropped. */
export function serializeState(state: State): string {
  const { version, ...rest } = state;
  return STATE_HEADER + stringifyToml(sortDeep({ version, ...pruneEmpty(rest) }) as Record<string, unknown>) + "\n";
}

function pruneEmpty(o: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === "object" && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort((a, b) => (a === "version" ? -1 : b === "version" ? 1 : a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, sortDeep(o[k])]));
  }
  return v;
}

export const STATE_FILE = "state.toml";

/** The desired state of the machine (empty when nixi has not written one yet). */
export async function loadState(ctx: Pick<Ctx, "exec" | "config">): Promise<State> {
  const path = `${ctx.config.nixiDir}/${STATE_FILE}`;
  const text = await ctx.exec.readFile(path);
  return text === null ? emptyState() : parseState(text, path);
}
