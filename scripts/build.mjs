// Bundle src/ into dist/ with esbuild: ESM, code splitting so lazily imported modules
// (execa, ssh2, inquirer, ...) stay out of the start-up path.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ["src/main.ts", "src/cli.ts"],
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  minifySyntax: true,
  sourcemap: "linked",
  define: { __NIXI_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});
