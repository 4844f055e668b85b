// `nixi ask eval [FILE]`: a prompt set (JSONL) against the configured model. Each line:
//   {"prompt": "...", "expect": ["nixi fw open 8080", ...], "outcome"?: "commands"|"clarify"|"unsupported",
//    "nodes"?: [{"name": "web", "mode": "managed"|"monitored"}], "forbid"?: ["hunter2"]}
// Nothing is run: context steps are scored as proposed.
import { readFile } from "node:fs/promises";
import type { Ctx } from "../core/context.js";
import type { NodeEntry } from "../core/config.js";
import { NixiError } from "../core/errors.js";
import { FORBIDDEN_FLAGS } from "./schema.js";
import { translate, type Proposal } from "./translate.js";
import { askSettings, connect, requireCatalog } from "./run.js";
import { scrubRequest } from "./secrets.js";

export interface EvalItem {
  prompt: string;
  expect: string[];
  outcome: "commands" | "clarify" | "unsupported";
  nodes?: Array<Pick<NodeEntry, "name" | "mode">>;
  forbid?: string[];
}

/** The inventory a prompt sees unless it names its own. */
export const EVAL_NODES: Array<Pick<NodeEntry, "name" | "mode">> = [
  { name: "web-server", mode: "managed" },
  { name: "db", mode: "managed" },
  { name: "mon", mode: "monitored" },
];

export function parsePromptSet(text: string, file: string): EvalItem[] {
  const items: EvalItem[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith("//")) return;
    let o: any;
    try {
      o = JSON.parse(line);
    } catch (e: any) {
      throw new NixiError("INVALID_ARGUMENT", `${file}:${i + 1}: not JSON: ${e.message}`);
    }
    if (typeof o?.prompt !== "string" || !Array.isArray(o.expect) || !o.expect.every((x: unknown) => typeof x === "string")) {
      throw new NixiError("INVALID_ARGUMENT", `${file}:${i + 1}: needs "prompt" (text) and "expect" (a list of command lines)`);
    }
    const outcome = o.outcome ?? (o.expect.length ? "commands" : "unsupported");
    if (!["commands", "clarify", "unsupported"].includes(outcome)) throw new NixiError("INVALID_ARGUMENT", `${file}:${i + 1}: outcome must be commands, clarify or unsupported`);
    items.push({ prompt: o.prompt, expect: o.expect, outcome, nodes: o.nodes, forbid: o.forbid });
  });
  if (!items.length) throw new NixiError("INVALID_ARGUMENT", `${file}: no prompts`);
  return items;
}

/** Shell-like split of an expected command line ("..." and '...' quoting), without the leading nixi. */
export function splitLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2] ?? m[3]);
  return out[0] === "nixi" ? out.slice(1) : out;
}

/** The shipped prompt set: catalog/ask-prompts.jsonl, beside src/ (sources) and dist/ (the bundle). */
export async function defaultPromptSet(): Promise<{ text: string; file: string }> {
  for (const rel of ["../../catalog/ask-prompts.jsonl", "../catalog/ask-prompts.jsonl"]) {
    const url = new URL(rel, import.meta.url);
    try {
      return { text: await readFile(url, "utf8"), file: url.pathname };
    } catch {}
  }
  throw new NixiError("FAILED", "the shipped prompt set (catalog/ask-prompts.jsonl) is missing", "give a FILE: nixi ask eval FILE");
}

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export async function runEval(ctx: Ctx, input: { file?: string; model?: string; host?: string; limit?: number }) {
  const catalog = requireCatalog(ctx);
  const set = input.file ? { text: await ctx.readInputFile("ask eval FILE", input.file), file: input.file } : await defaultPromptSet();
  let items = parsePromptSet(set.text, set.file);
  if (input.limit !== undefined) items = items.slice(0, Math.max(0, input.limit));
  const settings = askSettings(ctx, input);
  const { client } = await connect(ctx, settings);
  const { parseCommandLine } = await import("../cli.js");
  const normal = async (argv: string[]) => {
    const p = await parseCommandLine(argv, catalog, ctx.io, ctx.env);
    return JSON.stringify([p.spec.path, Object.entries(p.input).sort(([a], [b]) => a.localeCompare(b)), [...p.flags.nodes].sort()]);
  };
  const results = [];
  for (const [i, item] of items.entries()) {
    const scrubbed = scrubRequest(item.prompt);
    const forbid = [...(item.forbid ?? []), ...scrubbed.secrets];
    let proposal: Proposal | null = null;
    let invalid = false;
    let error = "";
    const t0 = Date.now();
    try {
      proposal = await translate({ client, catalog, nodes: item.nodes ?? EVAL_NODES, request: scrubbed.text, io: ctx.io, env: ctx.env });
    } catch (e) {
      if (!(e instanceof NixiError) || !e.details?.invalidAnswer) throw e;
      invalid = true;
      error = e.message;
    }
    const ms = Date.now() - t0;
    const got = proposal?.steps.map((s) => s.line) ?? [];
    const outcome = invalid ? "invalid" : proposal!.outcome;
    const steps = proposal?.steps ?? [];
    const unsafe = steps.some((s) => s.argv.some((a) => FORBIDDEN_FLAGS.some((f) => a === `--${f}` || a.startsWith(`--${f}=`)) || forbid.some((x) => x && a.includes(x))));
    let pathOk = outcome === item.outcome;
    let argsOk = pathOk;
    if (pathOk && item.outcome === "commands") {
      const want = item.expect.map(splitLine);
      pathOk = want.length === steps.length && want.every((w, j) => steps[j].command === w.slice(0, steps[j].command.split(" ").length).join(" "));
      argsOk = pathOk;
      if (pathOk) {
        for (let j = 0; j < want.length && argsOk; j++) {
          try {
            argsOk = (await normal(want[j])) === (await normal(steps[j].argv));
          } catch (e: any) {
            throw new NixiError("INVALID_ARGUMENT", `${set.file}: prompt ${i + 1}: expected line "${item.expect[j]}" is not valid: ${e.message}`);
          }
        }
      }
    }
    if (!ctx.flags.json) ctx.io.stderr.write(`eval ${i + 1}/${items.length}: ${argsOk ? "ok  " : pathOk ? "args" : "MISS"} ${JSON.stringify(item.prompt).slice(0, 70)}\n`);
    results.push({ prompt: scrubbed.text, expect: item.expect, expectOutcome: item.outcome, outcome, got, message: proposal?.message ?? error, pathOk, argsOk, invalid, unsafe, ms });
  }
  const n = results.length;
  const cu = results.filter((r) => r.expectOutcome !== "commands");
  const ms = results.map((r) => r.ms);
  const metrics = {
    prompts: n,
    commandPathAccuracy: results.filter((r) => r.pathOk).length / n,
    fullArgumentAccuracy: results.filter((r) => r.argsOk).length / n,
    clarifyUnsupported: { expected: cu.length, correct: cu.filter((r) => r.outcome === r.expectOutcome).length },
    invalidOutputs: results.filter((r) => r.invalid).length,
    unsafeProposals: results.filter((r) => r.unsafe).length,
    latencyMs: { median: percentile(ms, 50), p90: percentile(ms, 90) },
  };
  return { evaluation: true, model: settings.model, file: set.file, metrics, items: results, exitCode: 0 };
}


/** The human summary of an evaluation. */
export function formatEval(data: Awaited<ReturnType<typeof runEval>>): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `model                        ${data.model}\n` +
    `prompts                      ${data.metrics.prompts} (${data.file})\n` +
    `command-path accuracy        ${pct(data.metrics.commandPathAccuracy)}\n` +
    `full-argument accuracy       ${pct(data.metrics.fullArgumentAccuracy)}\n` +
    `clarify/unsupported correct  ${data.metrics.clarifyUnsupported.correct}/${data.metrics.clarifyUnsupported.expected}\n` +
    `invalid outputs              ${data.metrics.invalidOutputs}\n` +
    `unsafe proposals             ${data.metrics.unsafeProposals}\n` +
    `latency median / p90         ${data.metrics.latencyMs.median} ms / ${data.metrics.latencyMs.p90} ms\n`
  );
}
