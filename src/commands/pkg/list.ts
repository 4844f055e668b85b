import { defineCommand } from "../../core/command.js";

interface PkgList {
  /** Attribute paths nixi declared in packages.nix. */
  declared: string[];
  /** Names in environment.systemPackages of the whole configuration (evaluated), or null when it could not be evaluated. */
  systemPackages: string[] | null;
  evaluatedWith: string | null;
}

export default defineCommand<{ declaredOnly?: boolean }, PkgList>({
  path: ["pkg", "list"],
  summary: "List packages nixi declared, and what environment.systemPackages holds when it can be evaluated",
  risk: "read",
  flags: { "declared-only": { type: "boolean", description: "only what nixi declared (skip evaluating the configuration)" } },
  examples: ["nixi pkg list", "nixi pkg list --declared-only --json"],
  jsonFields: ["declared", "systemPackages", "evaluatedWith"],
  async run(ctx, { declaredOnly }) {
    const { isFlake, hostname, nixosDir, NIX } = await import("../../system/gather.js");
    const { loadState } = await import("../../nixos/state.js");
    const { declaredPackages } = await import("../../nixos/modules/packages.js");
    const declared = declaredPackages((await loadState(ctx)).packages);
    if (declaredOnly) return { declared, systemPackages: null, evaluatedWith: null };
    const apply = "map (p: p.name or (builtins.baseNameOf (toString p)))";
    let argv: string[];
    if (await isFlake(ctx)) {
      const host = await hostname(ctx);
      argv = [...NIX, "eval", "--json", `${nixosDir(ctx)}#nixosConfigurations.${JSON.stringify(host ?? "nixos")}.config.environment.systemPackages`, "--apply", apply];
    } else {
      argv = ["nix-instantiate", "--eval", "--strict", "--json", "-E", `(${apply}) (import <nixpkgs/nixos> { }).config.environment.systemPackages`];
    }
    let r;
    try {
      r = await ctx.exec.run(argv, { readOnly: true, timeoutMs: 300_000 });
    } catch (e: any) {
      // e.g. a monitored node, whose executor does not run evaluations
      r = { exitCode: 1, stdout: "", stderr: e.message, notFound: false };
    }
    if (r.notFound || r.exitCode !== 0) {
      ctx.warn(`environment.systemPackages could not be evaluated (${r.notFound ? `${argv[0]} not found` : r.stderr.trim().split("\n").pop()?.slice(0, 200)}); showing what nixi declared`);
      return { declared, systemPackages: null, evaluatedWith: null };
    }
    let names: string[] | null = null;
    try {
      const v = JSON.parse(r.stdout);
      if (Array.isArray(v)) names = [...new Set(v.map(String))].sort();
    } catch {}
    return { declared, systemPackages: names, evaluatedWith: argv[0] === "nix" ? "nix eval" : "nix-instantiate" };
  },
  render(d, out) {
    if (d.declared.length === 0) out.line(out.style.dim("nixi declares no packages (nixi pkg install NAME)"));
    else out.table(d.declared.map((p) => ({ package: p, source: "nixi (packages.nix)" })), [
      { key: "package", header: "package" },
      { key: "source", header: "declared by" },
    ]);
    if (d.systemPackages) {
      out.line();
      out.line(`environment.systemPackages (evaluated, ${d.systemPackages.length} packages):`);
      for (const n of d.systemPackages) out.line(`  ${n}`);
    }
  },
});
