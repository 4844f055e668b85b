// The offline option catalog shipped with nixi (catalog/nixos-options.json.gz, written by
// scripts/gen-option-catalog.mjs): every NixOS option path with its type description and default,
// and the renamed/removed paths. Loaded lazily, only by the commands that need option facts.
//
// API for other parts of nixi (config set, security harden, ...):
//   lookupOption("services.openssh.settings.PasswordAuthentication") -> { path, type, default, ... } | null
//   findOption(segs)      -> the option a path falls under (attribute names below attrsOf options)
//   findRename(segs)      -> the rename/removal record covering a path, if any
//   searchOptions(term)   -> ranked matches;  suggestPaths(segs) -> "did you mean" candidates
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { formatOptionPath } from "../nixos/modules/options.js";

export interface CatalogOption {
  /** Canonical path; `<name>` stands for any attribute name (attrsOf submodule). */
  path: string;
  /** NixOS type description, null when the catalog has none (read-only options). */
  type: string | null;
  /** Default as Nix text (as the manual shows it), when short. */
  default?: string;
  /** Declaring file in nixpkgs, where known. */
  declaredIn?: string;
}

export interface RenameRecord {
  path: string;
  now: string | null;
  kind: string;
  release?: string;
  message?: string;
}

interface Doc {
  meta: { release: string; source: string; options: number };
  types: string[];
  sources: string[];
  /** One line per option: path \t type index \t default as JSON ("" when none) \t source index. */
  options: string;
  renames: Record<string, Omit<RenameRecord, "path">>;
}

interface Node {
  children: Map<string, Node>;
  opt?: number;
}

interface Loaded {
  doc: Doc;
  lines: string[];
  paths: string[];
  trie: Node;
  renames: Array<{ segs: string[]; rec: RenameRecord }>;
}

let loaded: Loaded | undefined;

/** Catalog paths: dot-separated, "quoted" names may hold dots. */
export function splitCatalogPath(path: string): string[] {
  if (!path.includes('"')) return path.split(".");
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^."]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) out.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]);
  return out;
}

function catalogFile(): string {
  // from src/options/ (tests) and from dist/ (the bundle)
  for (const rel of ["../catalog/nixos-options.json.gz", "../../catalog/nixos-options.json.gz"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error("nixi's option catalog (catalog/nixos-options.json.gz) is missing from the installation");
}

function load(): Loaded {
  if (loaded) return loaded;
  const doc = JSON.parse(gunzipSync(readFileSync(catalogFile())).toString("utf8")) as Doc;
  const lines = doc.options.split("\n");
  const paths = lines.map((l) => l.slice(0, l.indexOf("\t")));
  const trie: Node = { children: new Map() };
  paths.forEach((path, i) => {
    let n = trie;
    for (const s of splitCatalogPath(path)) {
      let c = n.children.get(s);
      if (!c) n.children.set(s, (c = { children: new Map() }));
      n = c;
    }
    n.opt = i;
  });
  const renames = Object.entries(doc.renames).map(([path, r]) => ({ segs: splitCatalogPath(path), rec: { path, ...r } }));
  loaded = { doc, lines, paths, trie, renames };
  return loaded;
}

export function catalogMeta(): Doc["meta"] {
  return load().doc.meta;
}

function entry(i: number): CatalogOption {
  const { doc, lines } = load();
  const [path, ts, ds, ss] = lines[i].split("\t");
  const t = Number(ts);
  const s = Number(ss);
  return { path, type: t >= 0 ? doc.types[t] : null, ...(ds ? { default: JSON.parse(ds) as string } : {}), ...(s >= 0 ? { declaredIn: doc.sources[s] } : {}) };
}

const WILD = ["<name>", "*"];

/** The option a path names or falls under. `rest` are the segments below the option (attribute
 *  names of an attrsOf option, or sub-options the catalog does not list). */
export function findOption(segs: string[]): { option: CatalogOption; rest: string[] } | null {
  const { trie } = load();
  let best: { i: number; depth: number } | null = null;
  const walk = (n: Node, d: number) => {
    if (n.opt !== undefined && (!best || d > best.depth)) best = { i: n.opt, depth: d };
    if (d === segs.length) return;
    const lit = n.children.get(segs[d]);
    if (lit) walk(lit, d + 1);
    for (const w of WILD) {
      const c = n.children.get(w);
      if (c && !(best && best.depth === segs.length)) walk(c, d + 1);
    }
  };
  walk(trie, 0);
  if (!best) return null;
  const b = best as { i: number; depth: number };
  return { option: entry(b.i), rest: segs.slice(b.depth) };
}

/** The option at exactly this path (a dotted path, `"quoted"` names allowed), or null. */
export function lookupOption(path: string | string[]): CatalogOption | null {
  const segs = typeof path === "string" ? splitCatalogPath(path) : path;
  const f = findOption(segs);
  return f && f.rest.length === 0 ? f.option : null;
}

/** Is the path a prefix of declared options (services.nginx)? Returns the names below it. */
export function childrenOf(segs: string[]): string[] | null {
  const { trie } = load();
  let nodes: Node[] = [trie];
  for (const s of segs) {
    nodes = nodes.flatMap((n) => [n.children.get(s), ...WILD.map((w) => n.children.get(w))].filter((x): x is Node => !!x));
    if (!nodes.length) return null;
  }
  const names = new Set(nodes.flatMap((n) => [...n.children.keys()]));
  return names.size ? [...names].sort() : null;
}

export function findRename(segs: string[]): RenameRecord | null {
  for (const { segs: r, rec } of load().renames) {
    if (r.length <= segs.length && r.every((s, i) => s === segs[i] || WILD.includes(s))) return rec;
  }
  return null;
}

/** Human sentence for a rename record: "hardware.opengl.enable was renamed to hardware.graphics.enable in 24.11". */
export function renameMessage(rec: RenameRecord, asked: string): string {
  const when = rec.release ? ` in ${rec.release}` : "";
  if (rec.kind.startsWith("removed")) return `${asked} was removed from NixOS${when}${rec.now ? `; use ${rec.now}` : ""}${rec.message ? `: ${rec.message}` : ""}`;
  if (rec.kind.startsWith("deprecated")) return `${asked} is deprecated${when}; use ${rec.now}`;
  if (rec.kind.startsWith("changed")) return `${asked} was replaced${when} by ${rec.now}`;
  return `${asked} was renamed to ${rec.now}${when}`;
}

export interface SearchHit extends CatalogOption {
  score: number;
}

/** Score of a path for the search words (null: some word occurs neither in the path nor in the
 *  description). Whole path parts rank first, then prefixes; shorter paths before longer ones. */
export function scoreOption(path: string, term: string, description: string | null = null): number | null {
  const words = term.toLowerCase().split(/\s+/).filter(Boolean);
  const lower = path.toLowerCase();
  const desc = description?.toLowerCase() ?? "";
  if (!words.every((w) => lower.includes(w) || desc.includes(w))) return null;
  const segs = lower.split(".");
  const exact = path.split(".");
  let score = lower === term.toLowerCase() ? 1000 : 0;
  for (const w of words) {
    if (segs.includes(w)) score += 30 + (segs[segs.length - 1] === w ? 5 : 0) + (exact.includes(w) ? 5 : 0);
    else if (segs.some((s) => s.startsWith(w))) score += 15;
    else if (lower.includes(w)) score += 5;
    else score += 2; // in the description only
    if (lower.startsWith(w)) score += 10;
  }
  return Math.round((score - segs.length * 2 - path.length / 20) * 10) / 10;
}

/** Ranked matches: every word of the term must occur in the path (case-insensitive). */
export function searchOptions(term: string, limit = 20): { hits: SearchHit[]; total: number } {
  const { paths } = load();
  const hits: Array<{ i: number; score: number }> = [];
  paths.forEach((path, i) => {
    const score = scoreOption(path, term);
    if (score !== null) hits.push({ i, score });
  });
  hits.sort((a, b) => b.score - a.score || (paths[a.i] < paths[b.i] ? -1 : 1));
  return { total: hits.length, hits: hits.slice(0, limit).map((h) => ({ ...entry(h.i), score: h.score })) };
}

function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** "Did you mean": catalog paths close to the given one (edit distance, case-insensitive). */
export function suggestPaths(segs: string[], n = 3): string[] {
  const { paths } = load();
  const asked = formatOptionPath(segs).toLowerCase();
  const max = Math.max(2, Math.floor(asked.length / 6));
  const scored: Array<[number, string]> = [];
  for (const path of paths) {
    const d = distance(asked, path.toLowerCase(), max);
    if (d <= max) scored.push([d, path]);
  }
  // also: a known last name under a different parent (services.ssh.enable -> services.openssh.enable)
  scored.sort((a, b) => a[0] - b[0] || a[1].length - b[1].length);
  return [...new Set(scored.map(([, p]) => p))].slice(0, n);
}

/** Every rename/removal record. */
export function allRenames(): RenameRecord[] {
  return load().renames.map((r) => r.rec);
}

/** Old paths that were renamed to this one. */
export function renamesTo(path: string): string[] {
  const key = formatOptionPath(splitCatalogPath(path));
  return allRenames().filter((r) => r.now === key).map((r) => r.path).sort();
}
