// From the model's structured answer to nixi command lines: argv built by nixi (never by a
// shell, never from the model's text except as values), then parsed by the real CLI parser
// and the command's own zod schemas exactly as if typed.
import type { CommandMeta, Catalog } from "../core/meta.js";
import type { IO } from "../core/context.js";
import type { Risk } from "../core/command.js";
import { NixiError } from "../core/errors.js";
import { askableFlags, MAX_STEPS, NOT_CONTEXT } from "./schema.js";

export interface Step {
  command: string;
  /** A read step whose output goes back to the model (read-then-act). */
  context: boolean;
  risk: Risk;
  /** Where it runs: empty = this machine. */
  nodes: string[];
  /** The argv nixi parses and runs (flags as --name=value, so no value is ever read as a flag). */
  argv: string[];
  /** The command line as a person would type it, shell-quoted. */
  line: string;
}

/** The model's answer does not fit: the message goes back to it once. */
export class ProposalError extends Error {}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
export const shellQuote = (s: string) => (SAFE.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export interface Stage1 {
  outcome: "commands" | "clarify" | "unsupported";
  message: string;
  steps: Array<{ command: string; context: boolean }>;
}

export function parseJsonAnswer(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    throw new ProposalError("the answer is not valid JSON");
  }
}

export function readStage1(answer: unknown, metas: CommandMeta[]): Stage1 {
  if (!isObj(answer)) throw new ProposalError("the answer must be a JSON object");
  const { outcome, message, steps } = answer;
  if (outcome !== "commands" && outcome !== "clarify" && outcome !== "unsupported") throw new ProposalError(`outcome must be commands, clarify or unsupported, not ${JSON.stringify(outcome)}`);
  if (typeof message !== "string") throw new ProposalError("message must be a string");
  if (!Array.isArray(steps) || steps.length > MAX_STEPS) throw new ProposalError(`steps must be a list of at most ${MAX_STEPS}`);
  const out: Stage1["steps"] = [];
  for (const s of steps) {
    if (!isObj(s) || typeof s.command !== "string" || typeof s.context !== "boolean") throw new ProposalError("each step needs command (text) and context (true/false)");
    const meta = metas.find((m) => m.path.join(" ") === s.command);
    if (!meta || meta.path[0] === "ask") throw new ProposalError(`unknown command "${s.command}"`);
    if (s.context && NOT_CONTEXT.includes(s.command)) throw new ProposalError(`"${s.command}" cannot be a context step`);
    if (s.context && meta.risk !== "read") throw new ProposalError(`"${s.command}" is a ${meta.risk} command: only read commands can be context steps`);
    out.push({ command: s.command, context: s.context });
  }
  if (outcome === "commands" && out.length === 0) throw new ProposalError("outcome commands needs at least one step");
  return { outcome, message, steps: outcome === "commands" ? out : [] };
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ProposalError(`${what} must be text`);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new ProposalError(`${what} holds a control character`);
  return v;
}

function exactKeys(o: Record<string, unknown>, keys: string[], what: string): void {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) throw new ProposalError(`${what}: unknown field${extra.length > 1 ? "s" : ""} ${extra.join(", ")} (these cannot be set)`);
}

/** One stage-2 step object -> argv and command line. Shape errors are ProposalErrors. */
export function buildStep(meta: CommandMeta, context: boolean, raw: unknown, nodeNames: string[]): Step {
  const command = meta.path.join(" ");
  const what = `step "${command}"`;
  if (!isObj(raw)) throw new ProposalError(`${what} must be an object`);
  const flags = askableFlags(meta);
  exactKeys(raw, [...(meta.controllerOnly ? [] : ["nodes"]), ...(meta.args.length ? ["args"] : []), ...(flags.length ? ["flags"] : [])], what);
  const argv = [...meta.path];
  const shown = [...meta.path];
  const args = isObj(raw.args) ? raw.args : {};
  if (meta.args.length) {
    if (!isObj(raw.args)) throw new ProposalError(`${what}: args must be an object`);
    exactKeys(args, meta.args.map((a) => a.name), `${what} args`);
  }
  for (const a of meta.args) {
    const v = args[a.name];
    const values = a.variadic ? (Array.isArray(v) ? v.map((x, i) => str(x, `${what} ${a.name}[${i}]`)) : (() => { throw new ProposalError(`${what}: ${a.name} must be a list`); })()) : [str(v, `${what} ${a.name}`)];
    for (const x of values.filter((x) => x !== "")) {
      // a value is never read as a flag (`--yes` or `--root /` offered as a name)
      if (x.startsWith("-")) throw new ProposalError(`${what}: ${a.name} "${x}" starts with "-": values cannot be flags`);
      argv.push(x);
      shown.push(shellQuote(x));
    }
  }
  if (flags.length) {
    if (!isObj(raw.flags)) throw new ProposalError(`${what}: flags must be an object`);
    exactKeys(raw.flags, flags.map(([n]) => n), `${what} flags`);
    for (const [name, f] of flags) {
      const v = raw.flags[name];
      if (f.type === "boolean") {
        if (typeof v !== "boolean") throw new ProposalError(`${what}: flag ${name} must be true or false`);
        if (v) (argv.push(`--${name}`), shown.push(`--${name}`));
        continue;
      }
      const values = f.type === "list" ? (Array.isArray(v) ? v.map((x, i) => str(x, `${what} --${name}[${i}]`)) : (() => { throw new ProposalError(`${what}: flag ${name} must be a list`); })()) : [str(v, `${what} --${name}`)];
      for (const x of values.filter((x) => x !== "")) {
        argv.push(`--${name}=${x}`);
        shown.push(`--${name}`, shellQuote(x));
      }
    }
  }
  let nodes: string[] = [];
  if (!meta.controllerOnly) {
    if (!Array.isArray(raw.nodes)) throw new ProposalError(`${what}: nodes must be a list`);
    nodes = [...new Set(raw.nodes.map((n, i) => str(n, `${what} nodes[${i}]`)))].filter((n) => n !== "local" && n !== "");
    for (const n of nodes) if (!nodeNames.includes(n)) throw new ProposalError(`${what}: unknown node "${n}" (nodes: ${nodeNames.join(", ") || "none"})`);
    if (nodes.length) (argv.push(`--node=${nodes.join(",")}`), shown.push("--node", nodes.join(",")));
  }
  return { command, context, risk: meta.risk, nodes, argv, line: `nixi ${shown.join(" ")}` };
}

export function readStage2(answer: unknown, chosen: Stage1["steps"], metas: CommandMeta[], nodeNames: string[]): Step[] {
  if (!isObj(answer)) throw new ProposalError("the answer must be a JSON object");
  exactKeys(answer, chosen.map((_c, i) => `s${i + 1}`), "the answer");
  return chosen.map((c, i) => buildStep(metas.find((m) => m.path.join(" ") === c.command)!, c.context, answer[`s${i + 1}`], nodeNames));
}

/** Every step through the real CLI parser and the command's zod schemas, as if typed. */
export async function validateSteps(steps: Step[], catalog: Catalog, io: IO, env: NodeJS.ProcessEnv): Promise<void> {
  const { parseCommandLine } = await import("../cli.js");
  for (const s of steps) {
    try {
      const parsed = await parseCommandLine(s.argv, catalog, io, env);
      if (parsed.spec.path.join(" ") !== s.command) throw new NixiError("USAGE", `parsed as ${parsed.spec.path.join(" ")}`);
    } catch (e) {
      if (e instanceof NixiError) throw new ProposalError(`${s.line}: ${e.message}`);
      throw e;
    }
  }
}
