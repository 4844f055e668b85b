// `nixi ask "..."`: translate, show the proposal, then run each step through its own risk class
// and confirmation gate, exactly as if the person had typed it. The model never supplies --yes,
// --dry-run, --root, --config or secrets: each step gets the global flags of the ask line.
import { PassThrough } from "node:stream";
import type { Ctx, GlobalFlags } from "../core/context.js";
import type { Catalog } from "../core/meta.js";
import { EXIT, NixiError, type ErrorCode } from "../core/errors.js";
import { redact } from "../core/redact.js";
import { inertLine } from "../core/human.js";
import { OllamaClient, type AskSettings, type ModelInfo } from "./ollama.js";
import { offeringPrompter, scrubRequest } from "./secrets.js";
import { translate, type Proposal } from "./translate.js";
import type { Step } from "./proposal.js";

export interface AskInput {
  request: string[];
  print?: boolean;
  model?: string;
  host?: string;
}

export interface StepResult {
  line: string;
  exitCode: number;
  /** The step's own --json envelope (ask --json --yes). */
  envelope?: unknown;
}

const CODE_FOR_EXIT: Record<number, ErrorCode> = { 1: "FAILED", 2: "USAGE", 3: "CONFIRMATION_REQUIRED", 4: "POLICY", 5: "UNREACHABLE", 6: "REBUILD_FAILED", 7: "PARTIAL", 8: "HEALTH_FAILING" };

/** Models below this size translate commands unreliably (Ollama's experience and nixi's eval). */
export const SMALL_MODEL_BILLIONS = 7;

export function askSettings(ctx: Ctx, input: { model?: string; host?: string }): AskSettings {
  const a = ctx.config.ask;
  return { host: input.host || a.host, model: input.model || a.model, numCtx: a.numCtx, timeoutSeconds: a.timeoutSeconds, keepAlive: a.keepAlive };
}

export async function connect(ctx: Ctx, settings: AskSettings): Promise<{ client: OllamaClient; info: ModelInfo }> {
  const client = await OllamaClient.create(settings);
  const info = await client.preflight();
  if (info.billions !== undefined && info.billions < SMALL_MODEL_BILLIONS) {
    ctx.warn(`model ${settings.model} has ${info.parameterSize} parameters: below about ${SMALL_MODEL_BILLIONS}B, command translation is unreliable (nixi still validates every step); qwen3:8b, qwen3:30b-a3b or qwen2.5:7b-instruct work well`);
  }
  if (info.contextLength && info.contextLength < settings.numCtx) ctx.warn(`model ${settings.model} has a context of ${info.contextLength} tokens, less than num_ctx ${settings.numCtx}`);
  return { client, info };
}

export function requireCatalog(ctx: Ctx): Catalog {
  if (!ctx.catalog) throw new NixiError("FAILED", "nixi ask needs the command catalog (internal)");
  return ctx.catalog;
}

/** Run one validated step as if typed, with the ask line's global flags and only the step's --node. */
async function runStep(ctx: Ctx, catalog: Catalog, step: Step, flags: GlobalFlags, prompter: Ctx["prompter"], capture: boolean): Promise<StepResult> {
  const { parseCommandLine } = await import("../cli.js");
  const { runInvocation } = await import("../core/runner.js");
  const parsed = await parseCommandLine(step.argv, catalog, ctx.io, ctx.env);
  const stepFlags: GlobalFlags = { ...flags, json: capture || flags.json, nodes: parsed.flags.nodes, allNodes: false, tags: [] };
  let out = "";
  const stdout = capture ? new PassThrough().on("data", (c) => (out += c)) : ctx.io.stdout;
  const io = { ...ctx.io, stdout };
  const exitCode = await runInvocation({ spec: parsed.spec, input: parsed.input, flags: stepFlags, io, env: ctx.env, prompter, clock: ctx.clock, catalog });
  if (!capture) return { line: step.line, exitCode };
  let envelope: unknown = out;
  try {
    envelope = JSON.parse(out);
  } catch {}
  return { line: step.line, exitCode, envelope };
}

function proposalData(settings: AskSettings, request: string, p: Proposal) {
  return {
    model: settings.model,
    request,
    outcome: p.outcome,
    message: p.message,
    question: p.outcome === "clarify" ? p.message : "",
    steps: p.steps.map((s) => ({ command: s.command, line: s.line, argv: s.argv, risk: s.risk, nodes: s.nodes, context: s.context })),
    rounds: p.rounds,
    requestSize: p.requestSize,
    ms: p.ms,
  };
}

export async function runAsk(ctx: Ctx, input: AskInput) {
  const catalog = requireCatalog(ctx);
  const text = input.request.join(" ").trim();
  if (!text) throw new NixiError("INVALID_ARGUMENT", "nixi ask needs a request", 'e.g. nixi ask "open port 8080"');
  const scrubbed = scrubRequest(text);
  const settings = askSettings(ctx, input);
  const { client } = await connect(ctx, settings);
  const json = ctx.flags.json;
  const err = (s: string) => ctx.io.stderr.write(inertLine(redact(s)) + "\n");
  const used = new Set<number>();
  const prompter = offeringPrompter(ctx.prompter, scrubbed.secrets, used);
  if (scrubbed.secrets.length) err(`ask: ${scrubbed.secrets.length} secret${scrubbed.secrets.length > 1 ? "s" : ""} in the request replaced by a placeholder; it is not sent to the model`);

  const runContext = async (steps: Step[], round: number) => {
    err(`ask: round ${round}: reading for context: ${steps.map((s) => s.line).join("; ")}`);
    const outs: string[] = [];
    for (const s of steps) {
      const r = await runStep(ctx, catalog, s, { ...ctx.flags, dryRun: false, yes: false }, prompter, true);
      outs.push(JSON.stringify((r.envelope as any)?.data ?? (r.envelope as any)?.results ?? r.envelope ?? null));
    }
    return outs;
  };

  let proposal: Proposal | null = null;
  let lastCorrection = "";
  for (let corrections = 0; ; corrections++) {
    proposal = await translate({ client, catalog, nodes: ctx.config.nodes, request: scrubbed.text, io: ctx.io, env: ctx.env, runContext, debug: ctx.debug, correction: proposal && corrections > 0 ? { previous: proposal.steps.map((s) => s.line), text: lastCorrection } : undefined });
    if (proposal.outcome !== "commands") {
      const data = proposalData(settings, scrubbed.text, proposal);
      const what = proposal.outcome === "clarify" ? "the request needs clarifying" : "not supported by nixi";
      throw new NixiError("USAGE", `${what}: ${proposal.message || "(no reason given)"}`, proposal.outcome === "clarify" ? "ask again with the missing detail" : "see `nixi --help` for what nixi can do", { outcome: proposal.outcome, question: data.question, rounds: data.rounds });
    }
    if (!json) {
      ctx.io.stdout.write(proposal.steps.map((s) => `${s.line}\n`).join(""));
    }
    if (input.print || (json && !ctx.flags.yes)) return { ...proposalData(settings, scrubbed.text, proposal), ran: false, results: [], exitCode: 0 };
    if (!ctx.interactive || ctx.flags.yes || ctx.flags.dryRun) break;
    // On a terminal: yes, no, or a correction that is translated again with this proposal as context.
    const answer = (await ctx.prompter.input("Run these steps? (yes / no / or type a correction)")).trim();
    if (/^(y|yes)$/i.test(answer)) break;
    if (answer === "" || /^(n|no)$/i.test(answer)) throw new NixiError("DECLINED", "declined: nothing was run");
    if (corrections >= 2) throw new NixiError("DECLINED", "three corrections without a yes: nothing was run", "ask again with the whole request");
    lastCorrection = answer;
  }

  const steps = proposal.steps;
  // Without a terminal, a change needs --yes typed by the person: refuse before anything runs.
  const changes = steps.filter((s) => s.risk === "change");
  if (changes.length && !ctx.interactive && !ctx.flags.yes && !ctx.flags.dryRun) {
    throw new NixiError("CONFIRMATION_REQUIRED", `the proposal changes the machine (${changes.map((s) => s.line).join("; ")}) and needs confirmation: nothing was run`, "add --yes to the ask line to apply, --dry-run to see the plans, or --print to only propose");
  }
  const results: StepResult[] = [];
  let failedAt = -1;
  for (let i = 0; i < steps.length; i++) {
    if (!json) err(`ask: step ${i + 1}/${steps.length}: ${steps[i].line}`);
    const r = await runStep(ctx, catalog, steps[i], ctx.flags, prompter, json);
    results.push(r);
    if (r.exitCode !== EXIT.OK) {
      failedAt = i;
      break;
    }
  }
  if (scrubbed.secrets.length > used.size && !json) err(`ask: ${scrubbed.secrets.length - used.size} secret from the request was not used by any step`);
  const data = { ...proposalData(settings, scrubbed.text, proposal), ran: true, results, exitCode: failedAt < 0 ? 0 : results[failedAt].exitCode };
  const summary = failedAt < 0 ? `ask: all ${steps.length} step${steps.length > 1 ? "s" : ""} done` : `ask: ${failedAt} of ${steps.length} steps done; failed: ${steps[failedAt].line} (exit ${results[failedAt].exitCode}); not run: ${steps.slice(failedAt + 1).map((s) => s.line).join("; ") || "none"}`;
  if (!json && failedAt < 0) err(summary);
  if (failedAt >= 0) throw new NixiError(CODE_FOR_EXIT[results[failedAt].exitCode] ?? "FAILED", summary, undefined, { ask: data });
  return data;
}
