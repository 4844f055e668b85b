import { defineCommand } from "../../core/command.js";
import { PositiveInt } from "../../system/schemas.js";

interface Hit {
  path: string;
  type: string | null;
  default: string | null;
  description: string | null;
  /** Where the option was found: nixi's catalog, the machine's evaluation, or both. */
  known: Array<"catalog" | "machine">;
  score: number;
}

interface SearchData {
  term: string;
  total: number;
  options: Hit[];
  /** The catalog searched (release). */
  catalog: string;
  evaluation: { evaluated: boolean; seconds?: number; cached?: boolean; skipped?: string } | null;
}

export default defineCommand<{ term: string[]; limit: number; machine: boolean }, SearchData>({
  path: ["option", "search"],
  summary: "Search NixOS options by path (and description with --machine), ranked",
  description:
    "Every word must occur in the option path (case-insensitive); exact names and whole path parts rank first. " +
    "Searches nixi's catalog of NixOS options; --machine also searches the options this machine declares (your own and " +
    "third-party modules) and their descriptions, by evaluation (cached per system generation).",
  risk: "read",
  args: [{ name: "term", description: "words to look for, e.g. openssh password", variadic: true }],
  flags: {
    limit: { type: "number", description: "at most this many matches (default 20)", default: 20, placeholder: "n", schema: PositiveInt(1000) },
    machine: { type: "boolean", description: "also search the machine's own options and descriptions (evaluates the configuration)" },
  },
  examples: ["nixi option search openssh password", "nixi option search firewall --limit 5 --json", "nixi option search myapp --machine"],
  jsonFields: ["term", "total", "options", "catalog", "evaluation"],
  async run(ctx, input) {
    const { searchOptions, catalogMeta, scoreOption } = await import("../../options/catalog.js");
    const term = input.term.join(" ");
    const byPath = new Map<string, Hit>();
    const cat = searchOptions(term, 100_000);
    for (const h of cat.hits) byPath.set(h.path, { path: h.path, type: h.type, default: h.default ?? null, description: null, known: ["catalog"], score: h.score });
    let evaluation: SearchData["evaluation"] = null;
    if (input.machine) {
      const { evaluationAvailable, evaluateOptionList } = await import("../../options/evaluate.js");
      const avail = await evaluationAvailable(ctx);
      if (!avail.ok) {
        ctx.warn(`the machine's own options were not searched: ${avail.why}`);
        evaluation = { evaluated: false, skipped: avail.why };
      } else {
        const r = await evaluateOptionList(ctx, avail);
        evaluation = { evaluated: true, seconds: r.seconds, cached: r.cached };
        for (const o of r.result) {
          const score = scoreOption(o.path, term, o.description);
          if (score === null) continue;
          const prev = byPath.get(o.path);
          byPath.set(o.path, { path: o.path, type: o.type ?? prev?.type ?? null, default: prev?.default ?? null, description: o.description, known: prev ? ["catalog", "machine"] : ["machine"], score: Math.max(score, prev?.score ?? score) });
        }
      }
    }
    const all = [...byPath.values()].sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
    return { term, total: all.length, catalog: catalogMeta().release, evaluation, options: all.slice(0, input.limit ?? 20) };
  },
  render(d, out) {
    if (!d.options.length) {
      out.line(`no option matches ${JSON.stringify(d.term)}`);
      return;
    }
    for (const o of d.options) out.line(`${o.path}  ${out.style.dim(o.type ?? "")}${o.description ? `\n    ${o.description.replace(/\s+/g, " ").slice(0, 100)}` : ""}`);
    if (d.total > d.options.length) out.line(out.style.dim(`(${d.total - d.options.length} more: --limit ${Math.min(1000, d.total)})`));
  },
});
