// Is OPTION = VALUE something NixOS would accept? Checked against the catalog (path, renames,
// type) and, where the catalog cannot tell, against the machine's own option tree.
import { NixiError } from "../core/errors.js";
import { formatOptionPath } from "../nixos/modules/options.js";
import { childrenOf, findOption, findRename, renameMessage, suggestPaths, type CatalogOption } from "./catalog.js";
import { acceptsString, checkValue, parseType, typeName, type CheckResult, type OptionType } from "./types.js";

export type LeafVerdict =
  | { kind: "ok"; path: string; type: string }
  | { kind: "bad"; path: string; why: string; hint?: string }
  | { kind: "unknown"; path: string; why: string; hint?: string };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Type of the value at `rest` below an option of type `t` (attribute names of attrsOf). */
function typeBelow(t: OptionType, rest: string[]): OptionType | null {
  let cur: OptionType = t;
  for (let i = 0; i < rest.length; i++) {
    while (cur.k === "null") cur = cur.of;
    if (cur.k === "attrs") cur = cur.of;
    else if (cur.k === "anything") return cur;
    else if (cur.k === "either") {
      const a = cur.of.find((x) => x.k === "attrs" || x.k === "anything");
      if (!a) return null;
      cur = a.k === "attrs" ? a.of : a;
    } else if (cur.k === "submodule" || cur.k === "unknown") return { k: "unknown", text: `${cur.k === "submodule" ? "a sub-option of a submodule" : cur.text} the catalog does not list` };
    else return null;
  }
  return cur;
}

function verdictOf(path: string, t: OptionType, r: CheckResult): LeafVerdict {
  if (r.ok === true) return { kind: "ok", path, type: typeName(t) };
  if (r.ok === false) return { kind: "bad", path, why: r.why };
  return { kind: "unknown", path, why: `nixi cannot check a value of type "${r.text}"` };
}

/** Check a value against the catalog, walking into attribute-set values of option prefixes. */
export function verifyWithCatalog(segs: string[], value: unknown): LeafVerdict[] {
  const path = formatOptionPath(segs);
  const rename = findRename(segs);
  if (rename) {
    return [{ kind: "bad", path, why: renameMessage(rename, path), hint: rename.now ? `set ${rename.now} instead` : "remove the setting" }];
  }
  const found = findOption(segs);
  if (found && found.rest.length === 0) return [checkOption(found.option, [], value, path)];
  if (found && found.rest.length > 0) {
    // below an option: attribute names of attrsOf, or sub-options the catalog does not list
    const below = childrenOf(segs);
    if (!(below && isObj(value))) return [checkOption(found.option, found.rest, value, path)];
  }
  const children = childrenOf(segs);
  if (children && isObj(value)) {
    const out: LeafVerdict[] = [];
    for (const [k, v] of Object.entries(value)) out.push(...verifyWithCatalog([...segs, k], v));
    return out;
  }
  if (children) {
    return [{ kind: "bad", path, why: `${path} is a group of options, not an option (it has ${children.slice(0, 6).join(", ")}${children.length > 6 ? ", ..." : ""})`, hint: `set one of them, e.g. ${formatOptionPath([...segs, children[0]])}, or give an attribute set` }];
  }
  const near = suggestPaths(segs);
  return [{ kind: "unknown", path, why: `${path} is not a NixOS option nixi knows`, hint: near.length ? `did you mean ${near.join(", ")}?` : undefined }];
}

function checkOption(opt: CatalogOption, rest: string[], value: unknown, path: string): LeafVerdict {
  const t = parseType(opt.type);
  const at = rest.length ? typeBelow(t, rest) : t;
  if (!at) return { kind: "bad", path, why: `${opt.path} has type ${typeName(t)}: it has no attribute ${formatOptionPath(rest)}` };
  return verdictOf(path, at, checkValue(at, value));
}

/** The catalog's type for an option path (after attribute names), for typing a command-line value. */
export function catalogTypeOf(segs: string[]): OptionType | null {
  const found = findOption(segs);
  if (!found) return null;
  const t = parseType(found.option.type);
  return found.rest.length ? typeBelow(t, found.rest) : t;
}

/** Nix-type a value given on the command line: text that parsed as a number or boolean stays text
 *  when the option takes a string and not that (system.stateVersion 24.11 is "24.11"). */
export function typeCommandLineValue(t: OptionType | null, raw: string, parsed: unknown): unknown {
  if (!t || typeof parsed === "string" || parsed === null || typeof parsed === "object") return parsed;
  if (checkValue(t, parsed).ok === true) return parsed;
  return acceptsString(t) && checkValue(t, raw).ok === true ? raw : parsed;
}

/** The first refusal among the verdicts as an error (exit 2), or null. */
export function refusal(verdicts: LeafVerdict[]): NixiError | null {
  const bad = verdicts.find((v) => v.kind === "bad") as Extract<LeafVerdict, { kind: "bad" }> | undefined;
  if (!bad) return null;
  return new NixiError("INVALID_ARGUMENT", bad.why.startsWith(bad.path) ? bad.why : `${bad.path} does not take this value, ${bad.why}`, bad.hint);
}
