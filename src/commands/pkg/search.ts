import { defineCommand } from "../../core/command.js";
import type { SearchResult } from "../../system/pkgs.js";
import { PositiveInt, SearchTerm } from "../../system/schemas.js";

export default defineCommand<{ term: string; limit: number }, SearchResult & { term: string }>({
  path: ["pkg", "search"],
  summary: "Search nixpkgs (nix search on flake systems, nix-env -qaP otherwise)",
  risk: "read",
  args: [{ name: "term", description: "name or regular expression to look for", schema: SearchTerm }],
  flags: { limit: { type: "number", description: "show at most N results", default: 20, placeholder: "n", schema: PositiveInt(10000) } },
  examples: ["nixi pkg search htop", "nixi pkg search 'python3.*requests' --limit 5 --json"],
  jsonFields: ["term", "source", "total", "results"],
  async run(ctx, { term, limit }) {
    const { searchPackages } = await import("../../system/pkgs.js");
    const r = await searchPackages(ctx, term);
    return { term, ...r, results: r.results.slice(0, limit) };
  },
  render(d, out) {
    if (d.results.length === 0) return out.line(out.style.dim(`no package matches "${d.term}"`));
    out.table(d.results, [
      { key: "attr", header: "attribute" },
      { key: "version", header: "version", format: (v) => v ?? "" },
      { key: "description", header: "description", format: (v) => v ?? "" },
    ]);
    if (d.total > d.results.length) out.line(out.style.dim(`${d.results.length} of ${d.total} shown (--limit)`));
  },
});
