// Checks that an evaluated NixOS module (a JSON value from test/helpers/nix.ts) only sets real
// option paths with values of roughly the right type, using the facts in ../shared/nixos:
//   nixos-options.json               curated options nixi writes (type as of 25.11)
//   options-catalog-25.05pre.json    every option of nixos-unstable 2024-12-19 (type strings)
//   nixos-option-renames.json        old / renamed / removed paths: never allowed
//
// The walk goes down the attribute set. A prefix that is an option ends the walk there (its value
// is type-checked), except that an option whose value is an attribute set and that has declared
// sub-options (nix.settings, services.openssh.settings, attrsOf-submodule options) is walked into:
// declared sub-options are checked, other keys are accepted only where the type is free-form
// (`attribute set of X` without submodule, JSON/YAML/TOML values, `anything`...). A prefix of some
// option continues; anything else is "unknown option path X". mkIf/mkOverride/mkMerge/mkOrder
// values are looked through. `<name>` matches any attribute name, `*` any list element.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SHARED = fileURLToPath(new URL("../../../shared/nixos/", import.meta.url));

interface OptInfo {
  curatedType?: string;
  catalogType?: string | null;
}
interface TrieNode {
  children: Map<string, TrieNode>;
  opt?: OptInfo;
}
interface Rename {
  now: string | null;
  kind: string;
  message?: string;
}

let cache: { trie: TrieNode; renames: Array<[string[], string, Rename]> } | undefined;

function load() {
  if (cache) return cache;
  const curated = JSON.parse(readFileSync(SHARED + "nixos-options.json", "utf8")) as Record<string, { type: string }>;
  const catalog = JSON.parse(readFileSync(SHARED + "options-catalog-25.05pre.json", "utf8")).options as Record<string, { type: string | null }>;
  const renames = JSON.parse(readFileSync(SHARED + "nixos-option-renames.json", "utf8")) as Record<string, Rename>;
  const trie: TrieNode = { children: new Map() };
  const insert = (path: string, info: OptInfo) => {
    let n = trie;
    for (const seg of path.split(".")) {
      let c = n.children.get(seg);
      if (!c) n.children.set(seg, (c = { children: new Map() }));
      n = c;
    }
    n.opt = { ...n.opt, ...info };
  };
  for (const [p, v] of Object.entries(catalog)) insert(p, { catalogType: v.type });
  for (const [p, v] of Object.entries(curated)) insert(p, { curatedType: v.type });
  cache = { trie, renames: Object.entries(renames).map(([p, r]) => [p.split("."), p, r]) };
  return cache;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);
const MK_TYPES = new Set(["if", "override", "merge", "order"]);

/** The definitions a (possibly mk*-wrapped) value stands for, plus problems with the wrappers. */
function unwrap(v: any, path: string, problems: string[]): any[] {
  if (!isObj(v) || !MK_TYPES.has(v._type)) return [v];
  switch (v._type) {
    case "if":
      if (typeof v.condition !== "boolean") problems.push(`mkIf condition at ${path} is not a boolean`);
      return unwrap(v.content, path, problems);
    case "merge":
      if (!Array.isArray(v.contents)) {
        problems.push(`mkMerge at ${path} without a list`);
        return [];
      }
      return v.contents.flatMap((c: any) => unwrap(c, path, problems));
    default:
      return unwrap(v.content, path, problems);
  }
}

function renameProblem(segs: string[]): string | undefined {
  const { renames } = load();
  for (const [rsegs, rpath, r] of renames) {
    if (rsegs.length !== segs.length) continue;
    if (rsegs.every((s, i) => s === "<name>" || s === segs[i])) {
      const to = r.now ?? (r.message ? `(${r.kind}: ${r.message})` : `(${r.kind})`);
      return `renamed/removed option ${segs.join(".")} -> ${to}${rpath !== segs.join(".") ? ` [${rpath}, ${r.kind}]` : ` [${r.kind}]`}`;
    }
  }
  return undefined;
}

// ---- rough type check against a NixOS type description -------------------------------------

/** Split on " or " at parenthesis depth 0. */
function splitOr(t: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && t.startsWith(" or ", i)) {
      parts.push(t.slice(start, i));
      start = i + 4;
      i += 3;
    }
  }
  parts.push(t.slice(start));
  return parts.map((p) => p.trim());
}

function stripParens(t: string): string {
  t = t.trim();
  while (t.startsWith("(") && t.endsWith(")")) {
    let depth = 0;
    let whole = true;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === "(") depth++;
      else if (t[i] === ")") depth--;
      if (depth === 0 && i < t.length - 1) {
        whole = false;
        break;
      }
    }
    if (!whole) break;
    t = t.slice(1, -1).trim();
  }
  return t;
}

const ANY = /^(JSON|YAML|TOML|Lua|raw|unspecified|Nix) value$|^anything$|INI/;
const ATOM = /^(Nix config )?atom \(/;

/** Does JSON value v (mk* already looked through) roughly fit type description t? */
export function valueFitsType(v: any, type: string): boolean {
  let t = type.replace(/[“”]/g, '"').replace(/ convertible to it$/, "").trim();
  t = stripParens(t);
  const alts = splitOr(t);
  if (alts.length > 1 && !/^one of /.test(t)) {
    // "(optionally newline-terminated) single-line string" is one type that starts with a paren group
    return alts.some((a) => valueFitsType(v, a));
  }
  t = t.replace(/^\(optionally newline-terminated\) /, "");
  if (t === "null") return v === null;
  if (ATOM.test(t)) return v === null || ["boolean", "number", "string"].includes(typeof v);
  if (ANY.test(t) && !/^list of|^attribute set of|^non-empty/.test(t)) return true;
  if (/^non-empty \(?list of /.test(t)) return Array.isArray(v) && v.length > 0 && valueFitsType(v, t.replace(/^non-empty /, ""));
  if (/^list of /.test(t)) return Array.isArray(v) && v.every((e) => valueFitsType(e, t.slice(8)));
  if (/^(lazy )?attribute set of /.test(t)) {
    const inner = t.replace(/^(lazy )?attribute set of /, "");
    return isObj(v) && Object.values(v).every((e) => unwrapAll(e).every((x) => valueFitsType(x, inner)));
  }
  if (/^(attribute set|submodule|open submodule.*|.*submodule)$/.test(t)) return isObj(v);
  if (t === "boolean") return typeof v === "boolean";
  if (/^one of /.test(t)) {
    const items = t
      .slice(7)
      .split(/,\s*/)
      .map((s) => s.trim());
    return items.some((it) => (it.startsWith('"') ? v === JSON.parse(it) : it === "true" ? v === true : it === "false" ? v === false : it === String(v)));
  }
  if (/integer|^int\b/.test(t)) {
    if (!Number.isInteger(v)) return false;
    const m = /between (-?\d+) and (-?\d+)/.exec(t);
    if (m && (v < Number(m[1]) || v > Number(m[2]))) return false;
    if (/unsigned|>=0/.test(t) && v < 0) return false;
    if (/positive|>0/.test(t) && v <= 0) return false;
    return true;
  }
  if (/^(floating point number|number)/.test(t)) return typeof v === "number";
  if (/^package$/.test(t)) return typeof v === "string" || isObj(v);
  if (/string|path|^str\b/.test(t)) return typeof v === "string";
  if (/^(systemd option|function|.*function)/.test(t)) return true;
  return true; // unknown description: do not guess
}

function unwrapAll(v: any): any[] {
  return unwrap(v, "", []);
}

function isFreeform(type: string | undefined | null): boolean {
  if (!type) return false;
  const t = type.replace(/[“”]/g, '"');
  if (/^(lazy )?attribute set of \(?submodule\)?$/.test(t)) return false;
  if (/^(lazy )?attribute set of /.test(t)) return true;
  if (/^(attribute set|open submodule.*|JSON value|YAML value|TOML value|anything)$/.test(t)) return true;
  return false;
}

// ---- the walk -----------------------------------------------------------------------------

export interface CheckOptions {
  /** Paths (dotted) to ignore, e.g. ones a test adds on purpose. */
  ignore?: string[];
}

/** Problems with the option paths and values in an evaluated module (empty array = all fine). */
export function checkOptionPaths(configValue: object, opts: CheckOptions = {}): string[] {
  const { trie } = load();
  const problems: string[] = [];
  const ignore = new Set(opts.ignore ?? []);

  const childOf = (n: TrieNode, key: string): TrieNode | undefined => n.children.get(key) ?? n.children.get("<name>");

  // An unknown key: name the renamed/removed paths below it if there are any, else the key itself.
  const reportUnknown = (segs: string[], value: any) => {
    const found = new Set<string>();
    const leaves = (v: any, at: string[], depth: number) => {
      for (let i = segs.length; i <= at.length; i++) {
        const r = renameProblem(at.slice(0, i));
        if (r) {
          found.add(r);
          return;
        }
      }
      if (depth > 32) return;
      for (const d of unwrapAll(v)) if (isObj(d)) for (const [k, x] of Object.entries(d)) leaves(x, [...at, k], depth + 1);
    };
    leaves(value, segs, 0);
    if (found.size) problems.push(...found);
    else problems.push(renamePrefixProblem(segs) ?? `unknown option path ${segs.join(".")}`);
  };

  const walk = (node: TrieNode, value: any, segs: string[], freeformParent: boolean) => {
    const path = segs.join(".");
    if (ignore.has(path)) return;
    if (segs.length) {
      const r = renameProblem(segs);
      if (r) {
        problems.push(r);
        return;
      }
    }
    const defs = unwrap(value, path || "<top>", problems);
    for (const def of defs) {
      if (node.opt) {
        const type = node.opt.curatedType ?? node.opt.catalogType ?? undefined;
        const descend = isObj(def) && node.children.size > 0;
        if (!descend) {
          if (type && !valueFitsType(def, type)) {
            problems.push(`type mismatch at ${path}: ${JSON.stringify(def)?.slice(0, 120)} is not ${type}`);
          }
          continue;
        }
        const free = isFreeform(type);
        for (const [k, v] of Object.entries(def)) {
          const c = childOf(node, k);
          if (c) walk(c, v, [...segs, k], free);
          else if (free) {
            const inner = type!.replace(/[“”]/g, '"').replace(/^(lazy )?attribute set of /, "");
            const elemOk = /^(lazy )?attribute set of /.test(type!.replace(/[“”]/g, '"'))
              ? unwrapAll(v).every((x) => valueFitsType(x, inner))
              : true;
            if (!elemOk) problems.push(`type mismatch at ${path}.${k}: ${JSON.stringify(v)?.slice(0, 120)} is not ${inner}`);
          } else reportUnknown([...segs, k], v);
        }
        continue;
      }
      // A prefix of options (not an option itself).
      if (!isObj(def)) {
        if (freeformParent) continue;
        problems.push(`unknown option path ${path} (it is a prefix of options, not an option; got ${JSON.stringify(def)?.slice(0, 60)})`);
        continue;
      }
      for (const [k, v] of Object.entries(def)) {
        const c = childOf(node, k);
        if (c) walk(c, v, [...segs, k], false);
        else if (!freeformParent) reportUnknown([...segs, k], v);
      }
    }
  };
  walk(trie, configValue, [], false);
  return problems;
}

/** A rename entry whose path starts with these segments (e.g. `hardware.opengl` set as a whole). */
function renamePrefixProblem(segs: string[]): string | undefined {
  const { renames } = load();
  for (const [rsegs, rpath, r] of renames) {
    if (rsegs.length > segs.length && segs.every((s, i) => rsegs[i] === "<name>" || rsegs[i] === s)) {
      return `renamed/removed option ${segs.join(".")} -> ${r.now ?? "(" + r.kind + ")"} [${rpath}, ${r.kind}]`;
    }
  }
  return undefined;
}

/** Is this dotted path a known option, or below a free-form option (for `nixi config set` tests)? */
export function isKnownOptionPath(path: string): boolean {
  const segs = path.split(".");
  const value = segs.reduceRight<any>((acc, s) => ({ [s]: acc }), "__probe__");
  return checkOptionPaths(value).every((p) => p.startsWith("type mismatch"));
}
