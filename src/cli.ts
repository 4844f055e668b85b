// Builds the commander tree from the registry, parses global flags (before or after the
// command path), validates input with each command's zod schemas, and maps errors to exit codes.
import { Command, CommanderError, Option } from "commander";
import type { AnyCommand, ArgSpec, FlagSpec } from "./core/command.js";
import type { GlobalFlags, IO, Prompter } from "./core/context.js";
import type { Catalog, CommandMeta } from "./core/meta.js";
import { EXIT, EXIT_CODE_TABLE, NixiError } from "./core/errors.js";
import { errorBody, serializeEnvelope } from "./core/envelope.js";
import { redact, registerSecret } from "./core/redact.js";
import { inertLine } from "./core/human.js";
import { GLOBAL_OPTIONS, GLOBAL_VALUE_OPTIONS, NODE_NAME_RE } from "./core/global-options.js";

declare const __NIXI_VERSION__: string;
export const VERSION = typeof __NIXI_VERSION__ === "string" ? __NIXI_VERSION__ : "0.0.0-dev";

export interface MainOptions {
  io?: Partial<IO>;
  env?: NodeJS.ProcessEnv;
  prompter?: Prompter;
  clock?: () => Date;
  /** Commands to offer: the built CLI passes its generated manifest, tests the source registry.
   *  (Not imported here: the registry in the bundle's graph would split every command's chunk.) */
  catalog: Catalog;
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c) => c.toUpperCase());

function colorAllowed(env: NodeJS.ProcessEnv, tty: boolean, argv: string[]): boolean {
  if (!tty || argv.includes("--no-color")) return false;
  if ("NO_COLOR" in env && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return true;
}

function buildIO(partial: Partial<IO> | undefined, env: NodeJS.ProcessEnv, argv: string[]): IO {
  const stdout = partial?.stdout ?? process.stdout;
  const stdoutIsTTY = partial?.stdoutIsTTY ?? !!(process.stdout as any).isTTY;
  const io = {
    stdout,
    stderr: partial?.stderr ?? process.stderr,
    stdoutIsTTY,
    stderrIsTTY: partial?.stderrIsTTY ?? !!(process.stderr as any).isTTY,
    color: partial?.color ?? colorAllowed(env, stdoutIsTTY, argv),
  } as IO;
  // process.stdin is made on first use (its stream loads fs streams and readline, or tty and net):
  // most commands never read it or ask whether it is a terminal
  let stdinIsTTY: boolean | undefined = partial?.stdinIsTTY;
  Object.defineProperty(io, "stdin", { get: () => partial?.stdin ?? process.stdin, enumerable: true });
  Object.defineProperty(io, "stdinIsTTY", { get: () => (stdinIsTTY ??= !!(process.stdin as any).isTTY), enumerable: true });
  return io;
}

function addGlobalOptions(cmd: Command): Command {
  for (const o of GLOBAL_OPTIONS) cmd.option(o.flags, o.description);
  return cmd;
}

function globalFlags(opts: Record<string, any>, env: NodeJS.ProcessEnv): GlobalFlags {
  const nodes: string[] = opts.node ? String(opts.node).split(",").map((s) => s.trim()).filter(Boolean) : [];
  for (const n of nodes) {
    if (!NODE_NAME_RE.test(n)) throw new NixiError("INVALID_ARGUMENT", `invalid node name "${n}" in --node`);
  }
  if (opts.node !== undefined && nodes.length === 0) throw new NixiError("INVALID_ARGUMENT", "--node needs at least one node name");
  // `--root "$DIR"` with DIR unset must not fall through to the real machine's /
  if (opts.root !== undefined && String(opts.root).trim() === "") {
    throw new NixiError("INVALID_ARGUMENT", `--root needs a folder, not ${JSON.stringify(opts.root)}`, "give the folder to treat as / (leave --root out for this machine)");
  }
  const tags: string[] = opts.tag ? String(opts.tag).split(",").map((s) => s.trim()).filter(Boolean) : [];
  for (const t of tags) {
    if (!NODE_NAME_RE.test(t)) throw new NixiError("INVALID_ARGUMENT", `invalid tag "${t}" in --tag`);
  }
  if (opts.tag !== undefined && tags.length === 0) throw new NixiError("INVALID_ARGUMENT", "--tag needs at least one tag");
  let parallel: number | undefined;
  if (opts.parallel !== undefined) {
    parallel = Number(opts.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) throw new NixiError("INVALID_ARGUMENT", `--parallel must be a whole number from 1 to 256, not "${opts.parallel}"`);
  }
  const count = (flag: string, v: unknown, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new NixiError("INVALID_ARGUMENT", `${flag} must be a whole number from 1 to ${max}, not "${v}"`);
    return n;
  };
  const rolling = count("--rolling", opts.rolling, 256);
  const maxFail = count("--max-fail", opts.maxFail, 100000);
  return {
    json: !!opts.json,
    yes: !!opts.yes,
    dryRun: !!opts.dryRun,
    noRebuild: opts.rebuild === false,
    noInput: opts.input === false,
    noColor: opts.color === false,
    quiet: !!opts.quiet,
    force: !!opts.force,
    verbose: !!opts.verbose,
    root: opts.root ?? "/",
    config: opts.config, // NIXI_CONFIG is the default path (defaultConfigPath); only --config must exist
    nodes,
    allNodes: !!opts.allNodes,
    tags,
    parallel,
    noSafeApply: opts.safeApply === false,
    rolling,
    maxFail,
    insecure: !!opts.insecure,
  };
}

function validate(value: unknown, spec: { schema?: any; secret?: boolean }, label: string): unknown {
  // a secret flag's value (a webhook URL with a token...) is masked wherever it is printed later
  if (spec.secret && typeof value === "string") registerSecret(value);
  if (!spec.schema) return value;
  const r = spec.schema.safeParse(value);
  if (r.success) return r.data;
  const msg = r.error.issues.map((i: any) => i.message).join("; ");
  // A bad secret value is not repeated in the message (error messages are printed and logged), nor is
  // the value of a KEY=VALUE given where only a KEY belongs (`--env-secret DB=hunter2`: the schema
  // accepts "DB" alone), since that value is most likely the secret itself.
  const str = String(value);
  const eq = str.indexOf("=");
  const keyOnly = eq > 0 && eq < str.length - 1 && spec.schema.safeParse(str.slice(0, eq)).success;
  const shown = spec.secret ? " (value not shown: it is secret)" : keyOnly ? ` "${str.slice(0, eq + 1)}..." (the part after = is not shown)` : ` "${str}"`;
  throw new NixiError("INVALID_ARGUMENT", `invalid ${label}${shown}: ${msg}`);
}

function collectInput(spec: AnyCommand, cmd: Command): Record<string, any> {
  const input: Record<string, any> = {};
  const args = spec.args ?? [];
  args.forEach((a: ArgSpec, i: number) => {
    const raw = cmd.processedArgs[i];
    if (raw === undefined || (Array.isArray(raw) && raw.length === 0 && a.optional)) return;
    input[a.name] = a.variadic ? (raw as string[]).map((v) => validate(v, a, a.name)) : validate(raw, a, a.name);
  });
  const opts = cmd.opts();
  for (const [name, f] of Object.entries(spec.flags ?? {}) as [string, FlagSpec][]) {
    const key = camel(name);
    let v = opts[key];
    if (v === undefined) {
      if (f.default !== undefined) input[key] = f.default;
      continue;
    }
    if (f.type === "number") {
      const n = Number(v);
      if (v === "" || !Number.isFinite(n)) throw new NixiError("INVALID_ARGUMENT", `--${name} needs a number, not "${v}"`);
      v = n;
    }
    if (f.choices && !f.choices.includes(v)) throw new NixiError("INVALID_ARGUMENT", `--${name} must be one of ${f.choices.join(", ")}, not "${v}"`);
    input[key] = f.type === "list" ? (v as string[]).map((x) => validate(x, f, `--${name} value`)) : validate(v, f, `--${name} value`);
  }
  return input;
}

function argUsage(a: { name: string; variadic?: boolean; optional?: boolean }): string {
  const name = a.variadic ? `${a.name}...` : a.name;
  return a.optional ? `[${name}]` : `<${name}>`;
}

interface Selected {
  meta: CommandMeta;
  cmd: Command;
  words?: string[];
}

/** Global options that take a value: their value is not a command word. */
const VALUE_OPTIONS = new Set(GLOBAL_VALUE_OPTIONS);

/** The command words of argv (`nixi --root R fw open 80` -> fw, open, 80); `help` is skipped. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  return words[0] === "help" ? words.slice(1) : words;
}

export function buildProgram(io: IO, catalog: Catalog, argv: string[], onSelect: (s: Selected) => void): Command {
  const program = new Command("nixi");
  const output = {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: () => {}, // errors are printed by main(), as text or a JSON envelope
  };
  program
    .description("Manage NixOS machines from the shell: every change is planned, confirmed, applied with nixos-rebuild, and restored on failure.")
    .version(VERSION, "-V, --version")
    .configureOutput(output)
    .exitOverride()
    .showSuggestionAfterError(true)
    // Global options live on the program only; commander accepts them after the command path
    // too, and subcommands inherit this help setting so their --help lists them. Help is 80
    // columns wide on every terminal: the same text as the man pages' source, and the top-level
    // help can be written by the build (dist/help.txt, printed by bin/nixi without loading this).
    .configureHelp({ showGlobalOptions: true, helpWidth: 80 })
    .addHelpText("after", "\nExit codes: `nixi help exit-codes`. JSON output: add --json to any command.");
  addGlobalOptions(program);
  // Only the part of the tree the command line walks into is built: the top level, and the
  // children of each group named on it (enough for parsing, help and "did you mean").
  const words = commandWords(argv);
  const isPrefix = (p: string[]) => p.every((w, i) => words[i] === w);
  const groups = new Map<string, Command>();
  const groupFor = (path: string[]): Command => {
    let parent = program;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path.slice(0, i + 1).join(" ");
      let g = groups.get(key);
      if (!g) {
        g = parent.command(path[i]).description(catalog.groups[key] ?? "").configureOutput(output).exitOverride().showSuggestionAfterError(true);
        groups.set(key, g);
      }
      parent = g;
    }
    return parent;
  };
  // The line names a command exactly: the other groups are needed for nothing (not parsing, not its
  // help, not its errors), so they are not built.
  // (only commands of the line's first word can be named by it)
  const mine = catalog.metasOf && words.length ? catalog.metasOf(words[0]) : catalog.metas;
  const exact = mine.some((m) => isPrefix(m.path));
  for (const spec of exact ? mine : catalog.metas) {
    const parentPath = spec.path.slice(0, -1);
    if (!isPrefix(parentPath)) {
      if (exact) continue;
      // not on the way: the top-level group is enough (listed in help, matched by suggestions)
      if (parentPath.length && !isPrefix(parentPath.slice(0, 1))) groupFor(spec.path.slice(0, 2));
      else if (parentPath.length > 1) groupFor(spec.path.slice(0, parentPath.findIndex((w, i) => words[i] !== w) + 2));
      continue;
    }
    const parent = groupFor(spec.path);
    const leaf = parent.command(spec.path[spec.path.length - 1]).summary(`${spec.summary} [${spec.risk}]`).description(`${spec.summary} [${spec.risk}]${spec.description ? `\n\n${spec.description}` : ""}`).configureOutput(output).exitOverride().showSuggestionAfterError(true);
    for (const a of spec.args) leaf.argument(argUsage(a), a.description);
    for (const [name, f] of Object.entries(spec.flags)) {
      const flagText = `${f.short ? `-${f.short}, ` : ""}--${name}${f.type === "boolean" ? "" : ` <${f.placeholder ?? "value"}>`}`;
      const opt = new Option(flagText, f.description);
      if (f.type === "list") opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
      if (f.choices) opt.choices(f.choices as string[]);
      leaf.addOption(opt);
    }
    if (spec.examples.length) leaf.addHelpText("after", `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join("\n")}`);
    leaf.action((..._a: unknown[]) => onSelect({ meta: spec, cmd: leaf }));
  }
  program
    .command("help [command...]")
    .description("show help for a command, or `nixi help exit-codes`")
    .action((words: string[]) => onSelect({ meta: HELP_META, cmd: program, words }));
  return program;
}

const HELP_META: CommandMeta = { path: ["help"], summary: "help", risk: "read", args: [], flags: {}, examples: [] };

function helpFor(program: Command, words: string[]): string | null {
  if (words.length === 1 && words[0] === "exit-codes") {
    return "Exit codes:\n" + EXIT_CODE_TABLE.map(([c, m]) => `  ${String(c).padEnd(3)} ${m}`).join("\n") + "\n";
  }
  let cmd: Command | undefined = program;
  for (const w of words) {
    cmd = cmd.commands.find((c) => c.name() === w);
    if (!cmd) return null;
  }
  // outputHelp includes the text added after the options (examples)
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s) }).outputHelp();
  return text;
}

/** Merge option values of the whole chain so global flags count wherever they were written. */
function mergedOpts(cmd: Command): Record<string, any> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const out: Record<string, any> = {};
  for (const c of chain) {
    for (const [k, v] of Object.entries(c.opts())) {
      const src = c.getOptionValueSource(k);
      if (src === "cli" || src === "env" || !(k in out)) out[k] = v;
    }
  }
  return out;
}

function printError(io: IO, json: boolean, command: string, err: NixiError): number {
  if (json) {
    io.stdout.write(serializeEnvelope({ ok: false, command, error: errorBody(err), warnings: [] }));
  } else {
    io.stderr.write(`error: ${inertLine(redact(err.message))}\n`);
    if (err.hint) io.stderr.write(`hint: ${inertLine(redact(err.hint))}\n`);
  }
  return err.exitCode;
}

export async function main(argv: string[], opts: MainOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const io = buildIO(opts.io, env, argv);
  const wantsJson = argv.includes("--json");
  const catalog = opts.catalog;
  if (wantsJson && (argv.includes("--version") || argv.includes("-V"))) {
    io.stdout.write(serializeEnvelope({ ok: true, command: "--version", data: { name: "nixi", version: VERSION }, warnings: [] }));
    return EXIT.OK;
  }
  let selected: Selected | null = null;
  const program = buildProgram(io, catalog, argv, (s) => (selected = s));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.OK;
      // the command words, without global options' values (`--root DIR`): the longest known path
      const words = commandWords(argv);
      const message = e.message.replace(/^error: /, "");
      const code = e.code === "commander.unknownCommand" ? "UNKNOWN_COMMAND" : e.code === "commander.unknownOption" ? "UNKNOWN_FLAG" : "USAGE";
      if (e.code === "commander.executeSubCommandAsync" || e.code === "commander.help") return EXIT.OK;
      // a command under a subgroup (`user ssh-key add`) is named by its full path
      const known = [4, 3, 2, 1].map((n) => words.slice(0, n).join(" ")).find((p, i) => words.length >= 4 - i && (catalog.metas.some((m) => m.path.join(" ") === p) || p in catalog.groups));
      return printError(io, wantsJson, known ?? words.slice(0, 2).join(" "), new NixiError(code, message, "see `nixi --help` or `nixi help COMMAND`"));
    }
    throw e;
  }
  const sel = selected as Selected | null;
  if (!sel) {
    io.stdout.write(program.helpInformation());
    return EXIT.OK;
  }
  if (sel.meta === HELP_META) {
    const text = helpFor(program, sel.words ?? []);
    if (text === null) return printError(io, wantsJson, "help", new NixiError("UNKNOWN_COMMAND", `no help for "${(sel.words ?? []).join(" ")}": unknown command`, "see `nixi --help`"));
    io.stdout.write(text);
    return EXIT.OK;
  }
  const { meta, cmd } = sel;
  // Load the engine while the command's module loads.
  const runner = import("./core/runner.js");
  runner.catch(() => {});
  let flags: GlobalFlags;
  let input: Record<string, any>;
  let spec: AnyCommand;
  try {
    flags = globalFlags(mergedOpts(cmd), env);
    spec = await catalog.load(meta.path);
    input = collectInput(spec, cmd);
  } catch (e) {
    if (e instanceof NixiError) return printError(io, wantsJson, meta.path.join(" "), e);
    throw e;
  }
  if (flags.noColor) io.color = false;
  const { runInvocation } = await runner;
  return runInvocation({ spec, input, flags, io, env, prompter: opts.prompter, clock: opts.clock, catalog });
}

/** A command line parsed exactly as main() parses it, without running it (`nixi ask` validates
 *  every proposed step this way). Throws a NixiError (usage, unknown command or flag, bad value). */
export async function parseCommandLine(argv: string[], catalog: Catalog, io: IO, env: NodeJS.ProcessEnv): Promise<{ spec: AnyCommand; input: Record<string, any>; flags: GlobalFlags }> {
  let selected: Selected | null = null;
  const quiet = { ...io, stdout: devNull(), stderr: devNull() };
  const program = buildProgram(quiet, catalog, argv, (s) => (selected = s));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const code = e.code === "commander.unknownCommand" ? "UNKNOWN_COMMAND" : e.code === "commander.unknownOption" ? "UNKNOWN_FLAG" : "USAGE";
    throw new NixiError(code, e.message.replace(/^error: /, ""));
  }
  const sel = selected as Selected | null;
  if (!sel || sel.meta === HELP_META) throw new NixiError("UNKNOWN_COMMAND", `not a nixi command: ${argv.slice(0, 3).join(" ")}`);
  const flags = globalFlags(mergedOpts(sel.cmd), env);
  const spec = await catalog.load(sel.meta.path);
  return { spec, input: collectInput(spec, sel.cmd), flags };
}

function devNull(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
