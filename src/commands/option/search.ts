import { defineCommand } from "../../core/command.js";
import { PositiveInt } from "../../system/schemas.js";

interface SearchData {
  term: string;
  total: number;
  options: Array<{ path: string; type: string | null; default: string | null; score: number }>;
  /** The catalog searched (release). */
  catalog: string;
}

export default defineCommand<{ term: string[]; limit: number }, SearchData>({
  path: ["option", "search"],
  summary: "Search NixOS option paths (ranked; nixi's offline catalog)",
  description:
    "Every word must occur in the option path (case-insensitive); exact names and whole path parts rank first. " +
    "Searches nixi's catalog of NixOS options; an option declared by your own modules is shown by `nixi option show PATH`.",
  risk: "read",
  args: [{ name: "term", description: "words to look for, e.g. openssh password", variadic: true }],
  flags: { limit: { type: "number", description: "at most this many matches (default 20)", default: 20, placeholder: "n", schema: PositiveInt(1000) } },
  examples: ["nixi option search openssh password", "nixi option search firewall --limit 5 --json"],
  jsonFields: ["term", "total", "options", "catalog"],
  async run(_ctx, input) {
    const { searchOptions, catalogMeta } = await import("../../options/catalog.js");
    const term = input.term.join(" ");
    const { hits, total } = searchOptions(term, input.limit ?? 20);
    return { term, total, catalog: catalogMeta().release, options: hits.map((h) => ({ path: h.path, type: h.type, default: h.default ?? null, score: h.score })) };
  },
  render(d, out) {
    if (!d.options.length) {
      out.line(`no option matches ${JSON.stringify(d.term)}`);
      return;
    }
    for (const o of d.options) out.line(`${o.path}  ${out.style.dim(o.type ?? "")}`);
    if (d.total > d.options.length) out.line(out.style.dim(`(${d.total - d.options.length} more: --limit ${Math.min(1000, d.total)})`));
  },
});
