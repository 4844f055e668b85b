// Real nix-instantiate (Debian nix-bin) for tests: parse and evaluate generated Nix with a small,
// honest stub of nixpkgs' `lib` and a stub `pkgs` (no nixpkgs is available here).
//
//   parseNix(path)              nix-instantiate --parse; throws with nix's message
//   evalModule(path, opts?)     applies a NixOS module file to { config, lib, pkgs, ... } -> JSON value
//   evalDefaultNix(dir)         dir/default.nix with its imports applied and merged like the module system
//   evalNixExpr(text)           any expression -> JSON value (round-trip tests)
//   evalNixFile(path)           a file holding an expression -> JSON value
//
// mkIf / mkDefault / mkForce / mkMerge / mkBefore / mkAfter return the tagged attribute sets the real
// lib returns ({ _type = "if"; condition; content; } ...), so the evaluated value shows them;
// resolveMk() applies their meaning (in TypeScript) when a test wants the plain value.
// Every reference `pkgs.a.b` found in the file becomes an attribute set whose outPath is "<pkg:a.b>",
// so the JSON output shows the string "<pkg:a.b>" and "${pkgs.a.b}/bin/x" interpolates.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Environment nix-instantiate needs here: root without a daemon and without a nixbld group. */
export function nixEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NIX_CONFIG: "build-users-group =", NIX_REMOTE: "", ...extra };
}

export class NixError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "NixError";
  }
}

function nix(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "nix-instantiate",
      args,
      { env: nixEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 60_000, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err) {
          const msg = (stderr || String(err.message)).trim();
          reject(new NixError(`nix-instantiate ${args.filter((a) => !a.startsWith("--")).join(" ")}: ${msg}`, stderr));
        } else resolvePromise(stdout);
      },
    );
  });
}

/** Parse a .nix file; returns nix's normalised print of the AST. Throws NixError with nix's message. */
export async function parseNix(path: string): Promise<string> {
  return nix(["--parse", resolve(path)]);
}

async function evalFileJson(path: string): Promise<any> {
  const out = await nix(["--eval", "--strict", "--json", "--readonly-mode", resolve(path)]);
  return JSON.parse(out);
}

/** Nix string literal for a JS string (test-side, deliberately independent of src/nixos/render.ts). */
function q(s: string): string {
  return '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$\{/g, "\\${").replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
}

/** Path of the stub nixpkgs lib (test/helpers/stub-lib.nix). */
export const STUB_LIB_PATH = fileURLToPath(new URL("./stub-lib.nix", import.meta.url));

/** Every `pkgs.a.b.c` reference in a Nix source text. */
export function pkgRefsIn(source: string): string[] {
  const refs = new Set<string>();
  for (const m of source.matchAll(/(?<![A-Za-z0-9_'.-])pkgs\.([A-Za-z_][A-Za-z0-9_'-]*(?:\.[A-Za-z_][A-Za-z0-9_'-]*)*)/g)) refs.add(m[1]);
  return [...refs].sort();
}

/** Nix source of the stub pkgs set for these attribute paths. */
export function stubPkgs(paths: string[]): string {
  type Node = { [k: string]: Node };
  const root: Node = {};
  for (const p of paths) {
    let n = root;
    for (const seg of p.split(".")) n = n[seg] ??= {};
  }
  const render = (n: Node, path: string[]): string => {
    const own = path.length
      ? [`outPath = ${q(`<pkg:${path.join(".")}>`)};`, `pname = ${q(path[path.length - 1])};`, `type = "derivation";`]
      : [];
    const kids = Object.keys(n)
      .sort()
      .map((k) => `${q(k)} = ${render(n[k], [...path, k])};`);
    return `{ ${[...own, ...kids].join(" ")} }`;
  };
  return render(root, []);
}

export interface EvalOptions {
  /** Nix source of the `config` argument (default `{ }`). */
  config?: string;
  /** Extra package attribute paths to put into the stub pkgs. */
  pkgs?: string[];
  /** Apply mkIf/mkOverride/mkMerge/mkOrder meaning to the result (see resolveMk). */
  resolve?: boolean;
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "nixi-nix-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function moduleHarness(dir: string, sources: string[], opts: EvalOptions): Promise<string> {
  const refs = new Set(opts.pkgs ?? []);
  for (const s of sources) for (const r of pkgRefsIn(s)) refs.add(r);
  await writeFile(join(dir, "pkgs.nix"), stubPkgs([...refs]) + "\n");
  await writeFile(join(dir, "config.nix"), (opts.config ?? "{ }") + "\n");
  return `let
  lib = import ${STUB_LIB_PATH};
  pkgs = import ./pkgs.nix;
  config = import ./config.nix;
  args = { inherit config lib pkgs; options = { }; modulesPath = "/stub/nixos/modules"; };
  load = m:
    let
      v = if builtins.isPath m || builtins.isString m then import m else m;
      r = if builtins.isFunction v then v args else v;
    in if builtins.isAttrs r then r else throw "module \${toString m} is not an attribute set";
`;
}

/** Evaluate a NixOS module file (`{ config, lib, pkgs, ... }: { ... }`, or a plain attribute set). */
export async function evalModule(path: string, opts: EvalOptions = {}): Promise<any> {
  const abs = resolve(path);
  const source = await readFile(abs, "utf8");
  const value = await withTemp(async (dir) => {
    const head = await moduleHarness(dir, [source], opts);
    // Inline function modules in imports are not JSON: they are evaluated by the real module system elsewhere.
    await writeFile(join(dir, "eval.nix"), `${head}in let r = load ${abs}; in if r ? imports then r // { imports = builtins.filter (i: !(builtins.isFunction i)) r.imports; } else r\n`);
    return evalFileJson(join(dir, "eval.nix"));
  });
  return opts.resolve ? resolveMk(value) : value;
}

/**
 * Evaluate DIR/default.nix the way the module system would for nixi's files: follow `imports`
 * (recursively), apply each module to the stub arguments, and merge the results: attribute sets
 * merge deeply, lists concatenate, equal scalars are fine, different scalars are a conflict (error,
 * as NixOS reports "conflicting definition values"). mk* tagged values are kept (combined with mkMerge).
 */
export async function evalDefaultNix(dir: string, opts: EvalOptions = {}): Promise<any> {
  return evalModuleTree(join(resolve(dir), "default.nix"), opts);
}

/** Like evalDefaultNix for any entry module (e.g. configuration.nix importing ./nixi). */
export async function evalModuleTree(entry: string, opts: EvalOptions = {}): Promise<any> {
  const absEntry = resolve(entry);
  const absDir = resolve(entry, "..");
  const sources: string[] = [];
  const { readdir } = await import("node:fs/promises");
  // pkgs references: .nix files next to the entry and one folder down
  for (const e of await readdir(absDir, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith(".nix")) sources.push(await readFile(join(absDir, e.name), "utf8"));
    else if (e.isDirectory() && !e.name.startsWith(".")) {
      for (const f of await readdir(join(absDir, e.name))) if (f.endsWith(".nix")) sources.push(await readFile(join(absDir, e.name, f), "utf8").catch(() => ""));
    }
  }
  const value = await withTemp(async (tmp) => {
    const head = await moduleHarness(tmp, sources, opts);
    const text = `${head}
  collect = m:
    let r = load m;
    # Inline function modules (gpu.nix's nixpkgs.config module needs \`options\`) are left to the
    # real module system (test/gpu/unfree.test.ts); this stub merge follows file imports only.
    in [ (removeAttrs r [ "imports" ]) ] ++ builtins.concatMap collect (builtins.filter (i: !(builtins.isFunction i)) (r.imports or [ ]));
  isTagged = v: builtins.isAttrs v && v ? _type;
  merge = path: a: c:
    if isTagged a || isTagged c then lib.mkMerge [ a c ]
    else if builtins.isAttrs a && builtins.isAttrs c then
      a // builtins.mapAttrs (n: cv: if a ? \${n} then merge (path + "." + n) a.\${n} cv else cv) c
    else if builtins.isList a && builtins.isList c then a ++ c
    else if a == c then a
    else throw "The option \${path} has conflicting definition values";
in builtins.foldl' (merge "") { } (collect ${absEntry})
`;
    await writeFile(join(tmp, "eval.nix"), text);
    return evalFileJson(join(tmp, "eval.nix"));
  });
  return opts.resolve ? resolveMk(value) : value;
}

/** Evaluate a Nix expression given as text (written to a temp file: no argv size limit). */
export async function evalNixExpr(expr: string): Promise<any> {
  return withTemp(async (dir) => {
    await writeFile(join(dir, "expr.nix"), expr);
    return evalFileJson(join(dir, "expr.nix"));
  });
}

/** Evaluate a file holding a plain expression. */
export async function evalNixFile(path: string): Promise<any> {
  return evalFileJson(path);
}

/**
 * Give mk* tagged values their module-system meaning for one definition: mkIf true -> content,
 * mkIf false -> removed, mkOverride/mkOrder -> content (the highest priority wins within a mkMerge
 * of scalars), mkMerge -> deep merge of its contents (lists concatenate).
 */
export function resolveMk(v: any): any {
  const NONE = Symbol("none");
  const go = (x: any): any => {
    if (Array.isArray(x)) return x.map(go).filter((e) => e !== NONE);
    if (x === null || typeof x !== "object") return x;
    switch (x._type) {
      case "if":
        if (typeof x.condition !== "boolean") throw new Error(`mkIf condition is not a boolean: ${JSON.stringify(x.condition)}`);
        return x.condition ? go(x.content) : NONE;
      case "override":
      case "order":
        return go(x.content);
      case "merge": {
        const parts = (x.contents as any[]).map(go).filter((e) => e !== NONE);
        return parts.length === 0 ? NONE : parts.reduce((a, b) => deepMerge(a, b));
      }
    }
    const out: Record<string, any> = {};
    for (const [k, val] of Object.entries(x)) {
      const r = go(val);
      if (r !== NONE) out[k] = r;
    }
    return out;
  };
  const r = go(v);
  return r === NONE ? undefined : r;
}

function deepMerge(a: any, b: any): any {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  throw new Error(`conflicting definition values: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

/** Parse + evaluate every .nix file in a folder (the generated nixi folder) and default.nix merged. */
export async function checkNixFolder(dir: string): Promise<{ files: Record<string, any>; merged: any }> {
  const { readdir } = await import("node:fs/promises");
  const files: Record<string, any> = {};
  for (const f of (await readdir(dir)).filter((x) => x.endsWith(".nix")).sort()) {
    await parseNix(join(dir, f));
    files[f] = await evalModule(join(dir, f));
  }
  const merged = files["default.nix"] !== undefined ? await evalDefaultNix(dir) : undefined;
  return { files, merged };
}

/** DESIGN's shorthand: evaluate a generated module of the nixi folder under a test root. */
export async function evalNix(root: string, file: string, opts: EvalOptions = {}): Promise<any> {
  return evalModule(join(root, "etc/nixos/nixi", file), opts);
}
