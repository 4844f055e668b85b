// Package look-ups for pkg search/install: `nix search` on flake systems, `nix-env -qaP` on channel systems.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { NIX, isFlake } from "./gather.js";
import { parseNixEnvJson, parseNixSearchJson, type NixPackage } from "./nix.js";

export interface SearchResult {
  source: "nix search" | "nix-env";
  total: number;
  results: NixPackage[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Exact attribute first, then attributes starting with the term, then the rest; alphabetical within. */
export function rankPackages(list: NixPackage[], term: string): NixPackage[] {
  const t = term.toLowerCase();
  const rank = (p: NixPackage) => {
    const a = p.attr.toLowerCase();
    const last = a.split(".").pop()!;
    return a === t || last === t ? 0 : last.startsWith(t) ? 1 : a.includes(t) ? 2 : 3;
  };
  return [...list].sort((x, y) => rank(x) - rank(y) || (x.attr < y.attr ? -1 : x.attr > y.attr ? 1 : 0));
}

export async function searchPackages(ctx: Ctx, term: string, opts: { literal?: boolean } = {}): Promise<SearchResult> {
  const rx = opts.literal ? escapeRegex(term) : term;
  if (await isFlake(ctx)) {
    const r = await ctx.exec.run([...NIX, "search", "nixpkgs", rx, "--json"], { readOnly: true, timeoutMs: 600_000 });
    if (r.notFound) throw new NixiError("FAILED", "nix was not found on this machine");
    if (r.exitCode !== 0) throw new NixiError("FAILED", `nix search failed (exit ${r.exitCode}): ${lastLine(r.stderr)}`);
    const all = parseNixSearchJson(r.stdout);
    return { source: "nix search", total: all.length, results: rankPackages(all, term) };
  }
  const r = await ctx.exec.run(["nix-env", "-f", "<nixpkgs>", "-qaP", "--json", "--meta", `.*${rx}.*`], { readOnly: true, timeoutMs: 600_000 });
  if (r.notFound) throw new NixiError("FAILED", "nix-env was not found on this machine");
  if (r.exitCode !== 0) throw new NixiError("FAILED", `nix-env -qaP failed (exit ${r.exitCode}): ${lastLine(r.stderr)}`);
  const all = parseNixEnvJson(r.stdout);
  return { source: "nix-env", total: all.length, results: rankPackages(all, term) };
}

/** Only these errors mean "nixpkgs has no such attribute"; any other failure (no nixpkgs on
 *  NIX_PATH, no network for the flake registry, an evaluation error) means "could not check". */
const NO_ATTRIBUTE = /attribute '[^']*'(?: in selection path '[^']*')? not found|does not provide attribute|has no attribute/;

/** true: exists; false: does not; null: could not check (`why` says what stopped it). */
export async function packageExists(ctx: Ctx, attr: string, why: (reason: string) => void = () => {}): Promise<boolean | null> {
  const argv = (await isFlake(ctx)) ? [...NIX, "eval", "--raw", `nixpkgs#${attr}.name`] : ["nix-env", "-f", "<nixpkgs>", "-qaP", "--json", "-A", attr];
  const r = await ctx.exec.run(argv, { readOnly: true, timeoutMs: 300_000 });
  if (r.notFound) {
    why(r.notRunUnderRoot ? r.stderr : `${argv[0]} is not available here`);
    return null;
  }
  if (r.exitCode === 0) return true;
  if (NO_ATTRIBUTE.test(r.stderr)) return false;
  why(`${argv.join(" ")} failed (exit ${r.exitCode}): ${lastLine(r.stderr || r.stdout)}`);
  return null;
}

export async function suggestions(ctx: Ctx, attr: string): Promise<string[]> {
  const last = attr.split(".").pop()!;
  try {
    const s = await searchPackages(ctx, last, { literal: true });
    return s.results.slice(0, 5).map((p) => p.attr);
  } catch {
    return [];
  }
}

const lastLine = (s: string) => s.trim().split("\n").pop()?.slice(0, 300) ?? "";
