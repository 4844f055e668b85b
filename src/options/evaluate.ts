// The machine's own option tree, by evaluation: `nix-instantiate --eval --strict --json` over
// <nixpkgs/nixos> on a channel system, `nix eval --json --impure` over the flake's
// nixosConfigurations.<host> on a flake system. Sees options declared by the person's own and
// third-party modules. Bounded by a timeout; query results are cached per system generation.
import { nodeCrypto } from "../core/builtins.js";
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { LOCAL } from "../exec/targets.js";

export const EVAL_TIMEOUT_DEFAULT_S = 120;
const CACHE_DIR = ".options-cache"; // dot-folder in nixi's folder (bookkeeping)

/** flakeDir: the flake's folder as the machine's programs see it. */
export type Availability = { ok: true; mode: "channel" | "flake"; flakeDir?: string } | { ok: false; why: string };

/** Can this run evaluate the machine's configuration? Says why not (for "the full check was skipped"). */
export async function evaluationAvailable(ctx: Ctx): Promise<Availability> {
  if (ctx.exec.node === LOCAL && ctx.root !== "/" && ctx.env.NIXI_ROOT_EXEC !== "1") {
    return { ok: false, why: `--root ${ctx.root}: nixi runs no programs for a mounted system (NIXI_ROOT_EXEC=1 allows it)` };
  }
  // /etc/NIXOS for the default /etc/nixos/configuration.nix: the etc folder holding the configuration's folder
  const etc = posix.dirname(ctx.config.configurationNix);
  const marker = posix.join(posix.dirname(etc), "NIXOS");
  if (!(await ctx.exec.stat(marker))) return { ok: false, why: `this machine is not NixOS (no ${marker})` };
  if (await ctx.exec.stat(posix.join(etc, "flake.nix"))) {
    if (!(await ctx.exec.which("nix"))) return { ok: false, why: "nix is not on PATH" };
    return { ok: true, mode: "flake", flakeDir: hostPath(ctx, etc) };
  }
  if (!(await ctx.exec.which("nix-instantiate"))) return { ok: false, why: "nix-instantiate is not on PATH" };
  return { ok: true, mode: "channel" };
}

/** A machine path as the programs on the machine see it (under --root: inside DIR). */
export function hostPath(ctx: Ctx, path: string): string {
  return ctx.exec.node === LOCAL && ctx.root !== "/" ? posix.join(ctx.root, path) : path;
}

export function evalTimeoutSeconds(ctx: Ctx): number {
  const raw = ctx.env.NIXI_EVAL_TIMEOUT;
  if (raw === undefined || raw === "") return EVAL_TIMEOUT_DEFAULT_S;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new NixiError("INVALID_ARGUMENT", `NIXI_EVAL_TIMEOUT must be a number of seconds from 1 to 3600, not ${JSON.stringify(raw)}`);
  return n;
}

const nixStr = (s: string) => JSON.stringify(s).replace(/\$\{/g, "\\${");
const nixList = (xs: string[]) => `[ ${xs.map(nixStr).join(" ")} ]`;

/** Nix helpers shared by the expressions: option walk (into submodules), JSON-safe values. */
const PRELUDE = String.raw`
  isOpt = v: builtins.isAttrs v && (v._type or "") == "option";
  clean = d: v:
    if d > 12 then "<...>"
    else if builtins.isFunction v then "<function>"
    else if builtins.isAttrs v then
      (if (v.type or null) == "derivation" then "<derivation ${"$"}{v.name or "?"}>"
       else if v ? _type then "<${"$"}{v._type}>"
       else builtins.mapAttrs (_: clean (d + 1)) v)
    else if builtins.isList v then map (clean (d + 1)) v
    else if builtins.isPath v then toString v
    else v;
  safe = v: let c = clean 0 v; r = builtins.tryEval (builtins.deepSeq c c); in if r.success then { value = r.value; } else { error = "the value does not evaluate"; };
  walk = node: rest:
    if isOpt node then { opt = node; inherit rest; }
    else if rest == [ ] then { prefix = builtins.attrNames node; }
    else if builtins.isAttrs node && node ? ${"$"}{builtins.head rest} then walk node.${"$"}{builtins.head rest} (builtins.tail rest)
    else { missing = builtins.head rest; children = if builtins.isAttrs node then builtins.attrNames node else [ ]; };
  sub = r:
    if !(r ? opt) || r.rest == [ ] then r
    else let t = r.opt.type; elem = t.nestedTypes.elemType or null;
      w =
        if builtins.elem t.name [ "attrsOf" "lazyAttrsOf" ] && elem != null && elem.name == "submodule" && builtins.length r.rest > 1
        then walk (elem.getSubOptions (r.opt.loc ++ [ (builtins.head r.rest) ])) (builtins.tail r.rest)
        else if t.name == "submodule" then walk (t.getSubOptions r.opt.loc) r.rest
        else { };
    in if w ? opt then sub w else r;
  text = d: if builtins.isString d then d else if builtins.isAttrs d && d ? text then d.text else null;
`;

function systemExpr(avail: Extract<Availability, { ok: true }>, configuration: string | null, host: string): string {
  if (avail.mode === "flake") {
    const base = `(builtins.getFlake ${nixStr(avail.flakeDir!)}).nixosConfigurations.${nixStr(host)}`;
    return configuration ? `(${base}.extendModules { modules = [ (${configuration}) ]; })` : base;
  }
  return `(import <nixpkgs/nixos> { configuration = ${configuration ?? "CONFIGURATION"}; })`;
}

export interface EvaluatedOption {
  found: boolean;
  /** The option's path (loc) and the attribute names below it (attrsOf). */
  loc?: string[];
  rest?: string[];
  type?: string;
  elemType?: string | null;
  description?: string | null;
  default?: { value?: unknown; text?: string; error?: string } | null;
  declarations?: string[];
  /** Files that define the option's value. */
  files?: string[];
  readOnly?: boolean;
  value?: { value?: unknown; error?: string };
  /** When not found: the first name that does not exist, and the names that do at that level. */
  missing?: string;
  children?: string[];
  prefix?: string[];
}

export interface EvalRun<T> {
  result: T;
  seconds: number;
  cached: boolean;
}

/** Run one evaluation expression on the machine. Errors: exit 2 with nix's message (bad config),
 *  a clear timeout message. */
async function runEval(ctx: Ctx, avail: Extract<Availability, { ok: true }>, expr: string): Promise<{ stdout: string; seconds: number }> {
  const timeout = evalTimeoutSeconds(ctx);
  const argv =
    avail.mode === "flake"
      ? ["nix", "--extra-experimental-features", "nix-command flakes", "eval", "--json", "--impure", "--expr", expr]
      : ["nix-instantiate", "--eval", "--strict", "--json", "--expr", expr];
  const started = Date.now();
  const r = await ctx.exec.run(argv, { readOnly: true, timeoutMs: timeout * 1000, privileged: false });
  const seconds = Math.round((Date.now() - started) / 10) / 100;
  if (r.timedOut) {
    throw new NixiError("FAILED", `evaluating the NixOS configuration timed out after ${timeout} s`, "a slow machine may need more time: set NIXI_EVAL_TIMEOUT=SECONDS");
  }
  if (r.notFound) throw new NixiError("FAILED", `${argv[0]} was not found on the machine`);
  if (r.exitCode !== 0) {
    throw new NixiError("INVALID_ARGUMENT", `the NixOS configuration does not evaluate:\n${evalErrorText(r.stderr || r.stdout)}`, "nothing was written; fix the value (or the module) and try again");
  }
  return { stdout: r.stdout, seconds };
}

/** The useful part of a Nix error: from the last "error:" on, without the trace. */
export function evalErrorText(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  let i = lines.length - 1;
  while (i > 0 && !/^\s*error:/.test(lines[i])) i--;
  return lines.slice(Math.max(0, i), i + 12).join("\n");
}

async function flakeHost(ctx: Ctx): Promise<string> {
  const r = await ctx.exec.run(["hostname"], { readOnly: true });
  const h = r.stdout.trim().split(".")[0];
  if (r.exitCode !== 0 || !/^[A-Za-z0-9_-]+$/.test(h)) throw new NixiError("FAILED", "cannot tell this machine's host name for nixosConfigurations.<host>");
  return h;
}

async function cacheKey(ctx: Ctx, parts: string[]): Promise<string> {
  // the system generation, and nixi's staged state (values change with it before a rebuild)
  const gen = (await ctx.exec.realpath("/run/current-system")) ?? "none";
  const state = (await ctx.exec.readFile(posix.join(ctx.config.nixiDir, "state.toml"))) ?? "";
  return nodeCrypto().createHash("sha256").update(JSON.stringify([gen, state, ...parts])).digest("hex").slice(0, 32);
}

/** Read one option from the machine (cached per system generation). */
/** Run `query` (a Nix expression over `sys`, `lib` and the prelude) on the machine; results are
 *  cached per system generation and nixi's state. */
async function cachedQuery<T>(ctx: Ctx, avail: Extract<Availability, { ok: true }>, keyParts: string[], query: string): Promise<EvalRun<T>> {
  const host = avail.mode === "flake" ? await flakeHost(ctx) : "";
  const key = await cacheKey(ctx, [avail.mode, host, ...keyParts]);
  const cachePath = posix.join(ctx.config.nixiDir, CACHE_DIR, `${key}.json`);
  const hit = await ctx.exec.readFile(cachePath).catch(() => null);
  if (hit) {
    try {
      return { result: JSON.parse(hit), seconds: 0, cached: true };
    } catch {
      // a damaged cache entry: evaluate again
    }
  }
  const expr = `let
  sys = ${systemExpr(avail, null, host).replace("CONFIGURATION", nixStr(hostPath(ctx, ctx.config.configurationNix)))};
  lib = import <nixpkgs/lib>;
${PRELUDE}
in ${query}`;
  const { stdout, seconds } = await runEval(ctx, avail, expr);
  let result: T;
  try {
    result = JSON.parse(stdout);
  } catch {
    throw new NixiError("FAILED", "the evaluation printed something that is not JSON");
  }
  // a monitored node refuses the write: the cache is only a speed-up
  await ctx.exec.writeFile(cachePath, JSON.stringify(result), { privileged: true, mode: 0o600 }).catch(() => {});
  return { result, seconds, cached: false };
}

/** Read one option from the machine (cached per system generation). */
export async function evaluateOption(ctx: Ctx, avail: Extract<Availability, { ok: true }>, segs: string[], withValue: boolean): Promise<EvalRun<EvaluatedOption>> {
  return cachedQuery<EvaluatedOption>(ctx, avail, ["option", JSON.stringify(segs), String(withValue)], `let
  r0 = walk sys.options ${nixList(segs)};
  r = sub r0;
  o = r.opt;
  # values and definitions come from the top-level option: sub-options of a submodule type are
  # declarations only (evaluated without the machine's definitions)
  top = r0.opt;
in if r ? opt then {
  found = true;
  loc = o.loc;
  rest = r.rest;
  type = o.type.description or o.type.name;
  elemType = if r.rest != [ ] then (o.type.nestedTypes.elemType.description or null) else null;
  description = text (o.description or null);
  default = if o ? defaultText then { text = text o.defaultText; } else if o ? default then safe o.default else null;
  declarations = map toString (o.declarations or [ ]);
  files = map toString (top.files or [ ]);
  readOnly = o.readOnly or false;
  ${withValue ? "value = safe (if r0.rest == [ ] then top.value else lib.attrByPath r0.rest null top.value);" : ""}
} else { found = false; } // (builtins.removeAttrs r [ "opt" ])`);
}

export interface MachineOptionSummary {
  path: string;
  type: string | null;
  description: string | null;
}

/** Every option the machine declares (top-level options; not the sub-options of attrsOf submodules),
 *  with type and description: for `option search --machine`. Cached per system generation. */
export async function evaluateOptionList(ctx: Ctx, avail: Extract<Availability, { ok: true }>): Promise<EvalRun<MachineOptionSummary[]>> {
  return cachedQuery<MachineOptionSummary[]>(ctx, avail, ["list"], `let
  str = v: let r = builtins.tryEval (text v); in if r.success && builtins.isString r.value then r.value else null;
  typeOf = o: let r = builtins.tryEval (o.type.description or o.type.name); in if r.success then r.value else null;
  collect = node:
    if isOpt node then [ { path = lib.showOption node.loc; type = typeOf node; description = str (node.description or null); } ]
    else if builtins.isAttrs node then builtins.concatLists (lib.mapAttrsToList (n: v: if n == "_module" then [ ] else collect v) node)
    else [ ];
in collect sys.options`);
}

/** Evaluate the system with nixi's NEW files (a temporary copy in nixi's folder) in place of the
 *  ones on disk: the configuration as it would be after the change. Forces the toplevel derivation
 *  when the system has one, and in any case every option value nixi sets. */
export async function evaluateNewFiles(ctx: Ctx, avail: Extract<Availability, { ok: true }>, files: Map<string, string>, optionPaths: string[][]): Promise<{ seconds: number }> {
  const dir = ctx.config.nixiDir;
  const tmp = posix.join(dir, `.eval-${process.pid}-${Date.now().toString(36)}`);
  try {
    for (const [name, content] of files) {
      if (name.endsWith(".nix")) await ctx.exec.writeFile(posix.join(tmp, name), content, { privileged: true, mode: 0o600 });
    }
    const nixiHost = hostPath(ctx, dir);
    const newDefault = nixStr(hostPath(ctx, posix.join(tmp, "default.nix")));
    let configuration: string;
    if (avail.mode === "flake") {
      // the flake is evaluated from its copy in the store: its ./nixi import has a store path
      const rel = posix.relative(posix.dirname(ctx.config.configurationNix), dir);
      const keys = rel.startsWith("..") ? nixList([nixiHost, posix.join(nixiHost, "default.nix")]) : `[ (src + ${nixStr("/" + rel)}) (src + ${nixStr("/" + rel + "/default.nix")}) ]`;
      configuration = `let src = (builtins.getFlake ${nixStr(avail.flakeDir!)}).outPath; in { imports = [ ${newDefault} ]; disabledModules = ${keys}; }`;
    } else {
      configuration = `{ imports = [ ${nixStr(hostPath(ctx, ctx.config.configurationNix))} ${newDefault} ]; disabledModules = ${nixList([nixiHost, posix.join(nixiHost, "default.nix")])}; }`;
    }
    const host = avail.mode === "flake" ? await flakeHost(ctx) : "";
    const config = avail.mode === "flake" ? configuration : `${nixStr(hostPath(ctx, posix.join(tmp, "eval.nix")))}`;
    if (avail.mode === "channel") await ctx.exec.writeFile(posix.join(tmp, "eval.nix"), configuration + "\n", { privileged: true, mode: 0o600 });
    const expr = `let
  sys = ${systemExpr(avail, avail.mode === "flake" ? config : `import ${config}`, host)};
  lib = import <nixpkgs/lib>;
  c = sys.config;
  toplevel = lib.attrByPath [ "system" "build" "toplevel" ] null c;
  values = map (p: lib.attrByPath p null c) ${`[ ${optionPaths.map(nixList).join(" ")} ]`};
in builtins.seq c (builtins.deepSeq values (if toplevel != null then toplevel.drvPath else true))`;
    try {
      const { seconds } = await runEval(ctx, avail, expr);
      return { seconds };
    } catch (e) {
      // name the files as they will be, not the temporary copy
      if (e instanceof NixiError) throw new NixiError(e.code, e.message.split(hostPath(ctx, tmp)).join(hostPath(ctx, dir)), e.hint, e.details);
      throw e;
    }
  } finally {
    await ctx.exec.remove(tmp, { recursive: true, privileged: true }).catch(() => {});
  }
}
