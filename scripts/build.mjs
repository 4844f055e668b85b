// Build: (1) write src/commands/manifest.gen.ts — every command's metadata plus a lazy loader
// per command file — so start-up and --help never load command code or zod; (2) bundle src/
// into dist/ with esbuild: code splitting, dependencies bundled in, so start-up reads a few files
// instead of hundreds and lazily imported modules land in chunks of their own; (3) turn each chunk
// into CommonJS (dist/package.json says so): require() is synchronous, needs no ES module loader,
// and its compiled code can be cached on Node 20 (src/boot/compile-cache.ts), where ES modules'
// cannot. dist/build-id names this build for that cache.
import { build, transform } from "esbuild";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// commander requires node:child_process (with net, dgram and streams: ~3 ms) for executable
// subcommands, which nixi never uses; it gets the module when it first spawns.
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const src = readFileSync(args.path, "utf8");
      const line = "const childProcess = require('node:child_process');";
      if (!src.includes(line)) throw new Error(`build: ${args.path} no longer has: ${line}`);
      return { contents: src.replace(line, "const childProcess = { get spawn() { return require('node:child_process').spawn; } };"), loader: "js" };
    });
  },
};

const common = {
  bundle: true,
  plugins: [lazyChildProcess],
  format: "esm",
  platform: "node",
  target: "node20",
  // ssh2 loads optional native bindings at run time; keep it in node_modules.
  external: ["ssh2", "cpu-features"],
  // CommonJS dependencies inside an ESM bundle need a require().
  banner: { js: 'import { createRequire as __nixiCreateRequire } from "node:module"; const require = __nixiCreateRequire(import.meta.url);' },
  define: { __NIXI_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
};

/** `  "fw": "[...]",` lines: each top-level word's metadata as a JSON string; the registry keeps a
 *  group's commands together, so the groups in order give the registry's order back. */
function groupMetas(metas) {
  const groups = new Map();
  for (const m of metas) {
    const top = m.path[0];
    if (groups.has(top) && [...groups.keys()].at(-1) !== top) throw new Error(`build: the registry splits the commands of "${top}": keep them together`);
    if (!groups.has(top)) groups.set(top, []);
    groups.get(top).push(m);
  }
  return [...groups].map(([top, ms]) => `  ${JSON.stringify(top)}: ${JSON.stringify(JSON.stringify(ms))},`).join("\n");
}

/**
 * esbuild's CommonJS interop copies every export of a chunk twice, as getters: once when the chunk
 * sets module.exports (__toCommonJS), and once per chunk that requires it (__toESM). Between chunks
 * of this bundle (marked __esModule) the object itself serves: its getters are the live bindings.
 * Modules without the mark (node's built-ins, CommonJS packages) keep esbuild's own handling.
 */
function bareInterop(code, rel) {
  const helpers = [
    [/__toESM=\(mod(\d*),isNodeMode(\d*),target(\d*)\)=>\(target\3=/, (m, a, b, c) => `__toESM=(mod${a},isNodeMode${b},target${c})=>mod${a}!=null&&mod${a}.__esModule&&!isNodeMode${b}?mod${a}:(target${c}=`],
    [/__toCommonJS=mod(\d*)=>__copyProps\(__defProp\(\{\},"__esModule",\{value:!0\}\),mod\1\)/, (m, a) => `__toCommonJS=mod${a}=>__defProp(mod${a},"__esModule",{value:!0})`],
  ];
  for (const [from, to] of helpers) {
    const name = from.source.slice(0, from.source.indexOf("="));
    if (!new RegExp(`\\b${name}=`).test(code)) continue;
    if (!from.test(code)) throw new Error(`build: ${rel}: esbuild's ${name} no longer matches ${from}`);
    code = code.replace(from, to);
  }
  return code;
}

// 1. The manifest, from the registry itself.
const tmp = mkdtempSync(join(tmpdir(), "nixi-build-"));
try {
  await build({
    ...common,
    stdin: { contents: 'export { COMMANDS, GROUP_SUMMARIES } from "./src/commands/registry.ts"; export { toMeta, commandModule } from "./src/core/meta.ts";', resolveDir: root, loader: "ts" },
    outfile: join(tmp, "registry.mjs"),
  });
  const { COMMANDS, GROUP_SUMMARIES, toMeta, commandModule } = await import(pathToFileURL(join(tmp, "registry.mjs")).href);
  const seen = new Set();
  const loaders = [];
  for (const spec of COMMANDS) {
    const key = spec.path.join(" ");
    if (seen.has(key)) throw new Error(`build: command "${key}" is registered twice`);
    seen.add(key);
    const mod = commandModule(spec.path);
    if (!existsSync(join(root, "src/commands", `${mod}.ts`))) throw new Error(`build: command "${key}" must live in src/commands/${mod}.ts`);
    loaders.push(`  ${JSON.stringify(key)}: () => import("./${mod}.js"),`);
  }
  writeFileSync(
    join(root, "src/commands/manifest.gen.ts"),
    `// Generated by scripts/build.mjs from the registry. Do not edit.
import type { AnyCommand } from "../core/command.js";
import type { Catalog, CommandMeta } from "../core/meta.js";

// Per top-level word, in registry order. JSON.parse of a string literal is faster to load than the
// same object literal, and a command line that names a command needs only its own group's.
const GROUP_METAS: Record<string, string> = {
${groupMetas(COMMANDS.map(toMeta))}
};
const parsed = new Map<string, CommandMeta[]>();
const metasOf = (top: string): CommandMeta[] => {
  let metas = parsed.get(top);
  if (!metas) parsed.set(top, (metas = Object.hasOwn(GROUP_METAS, top) ? JSON.parse(GROUP_METAS[top]) : []));
  return metas!;
};
let all: CommandMeta[] | undefined;
const loaders: Record<string, () => Promise<{ default: AnyCommand }>> = {
${loaders.join("\n")}
};
export const MANIFEST_CATALOG: Catalog = {
  get metas() {
    return (all ??= Object.keys(GROUP_METAS).flatMap(metasOf));
  },
  metasOf,
  groups: ${JSON.stringify(GROUP_SUMMARIES)},
  load: async (path) => (await loaders[path.join(" ")]()).default,
};
`,
  );
  // Shell completions and the man page, from the same metadata (committed; see docs/completions.md).
  const { writeDocs } = await import("./gen-completions.mjs");
  for (const rel of await writeDocs(root, COMMANDS.map(toMeta), GROUP_SUMMARIES)) console.log(`build: wrote ${rel}`);
  // package.json's man field lists every page the build wrote (npm links them into man1/man5).
  const { readdirSync } = await import("node:fs");
  const pages = readdirSync(join(root, "man")).filter((f) => /\.\d$/.test(f)).sort().map((f) => `./man/${f}`);
  if (JSON.stringify(pkg.man) !== JSON.stringify(pages)) {
    writeFileSync(join(root, "package.json"), JSON.stringify({ ...pkg, man: pages }, null, 2) + "\n");
    console.log("build: wrote package.json (man)");
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// 2. The bundle, split (ES modules are what esbuild splits), in a scratch folder.
const esm = mkdtempSync(join(tmpdir(), "nixi-esm-"));
const dist = join(root, "dist");
try {
  const { banner: _banner, ...cjsCommon } = common; // CommonJS has its own require()
  await build({
    ...cjsCommon,
    entryPoints: [join(root, "src/main.ts"), join(root, "src/complete.ts"), join(root, "src/boot/compile-cache.ts")],
    outdir: esm,
    splitting: true,
    // No source maps in the package (they doubled its size).
  });
  // 3. Each chunk as CommonJS: import() of a chunk becomes a require() of it.
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, "boot"), { recursive: true });
  const hash = createHash("sha256");
  const chunks = readdirSync(esm, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name.endsWith(".js"));
  for (const d of chunks.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = join(d.parentPath ?? d.path, d.name).slice(esm.length + 1);
    const code = readFileSync(join(esm, rel), "utf8");
    const out = await transform(code, {
      format: "cjs",
      loader: "js",
      platform: "node",
      target: "node20",
      supported: { "dynamic-import": false },
      minifySyntax: true,
      minifyWhitespace: true,
      define: { "import.meta.url": "__nixiUrl" },
      banner: code.includes("import.meta") ? 'const __nixiUrl=require("node:url").pathToFileURL(__filename).href;' : "",
      logLevel: "warning",
    });
    const code2 = bareInterop(out.code, rel);
    if (/\bimport\(/.test(code2.replace(/"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|'(?:[^'\\]|\\.)*'/g, ""))) throw new Error(`build: ${rel} still has an import()`);
    hash.update(rel).update(code2);
    mkdirSync(join(dist, rel, ".."), { recursive: true });
    writeFileSync(join(dist, rel), code2);
  }
  writeFileSync(join(dist, "package.json"), '{ "type": "commonjs" }\n');
  writeFileSync(join(dist, "build-id"), hash.digest("hex").slice(0, 32) + "\n");
} finally {
  rmSync(esm, { recursive: true, force: true });
}

// 4. `nixi --help` as text: the top-level help depends only on the registry (80 columns wide
// everywhere, see src/cli.ts), so bin/nixi prints it without loading the CLI.
{
  const { spawnSync } = await import("node:child_process");
  const home = mkdtempSync(join(tmpdir(), "nixi-help-"));
  try {
    const r = spawnSync(process.execPath, [join(root, "bin/nixi"), "--help"], { encoding: "utf8", env: { PATH: process.env.PATH, HOME: home, NO_COLOR: "1", NIXI_COMPILE_CACHE: "0", NIXI_CONFIG: "/nonexistent/config.toml" } });
    if (r.status !== 0 || !r.stdout.startsWith("Usage: nixi")) throw new Error(`build: nixi --help failed (${r.status}): ${r.stderr}`);
    writeFileSync(join(dist, "help.txt"), r.stdout);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
