// Runs one parsed invocation: config, targets, the command on each node, output, exit code.
import type { AnyCommand } from "./command.js";
import type { Ctx, GlobalFlags, IO, Prompter } from "./context.js";
import type { Plan } from "./plan.js";
import { loadConfig, defaultConfigPath, type Config } from "./config.js";
import { EXIT, NixiError, toNixiError } from "./errors.js";
import { errorBody, serializeEnvelope, type Envelope, type NodeResult } from "./envelope.js";
import { humanOut, inertLine, preloadStyles, preloadTables, renderDefault, renderPlan, styler } from "./human.js";
import { redact } from "./redact.js";
import { confirmPlan } from "./confirm.js";
import { planIsEmpty } from "./plan.js";
import { ttyPrompter } from "./prompter.js";
import { createExecutor, resolveTargets, LOCAL } from "../exec/targets.js";
import { outcomeOf, rollOut } from "./rolling.js";

export interface Invocation {
  spec: AnyCommand;
  input: Record<string, any>;
  flags: GlobalFlags;
  io: IO;
  env: NodeJS.ProcessEnv;
  prompter?: Prompter;
  clock?: () => Date;
  /** The command catalog (for `nixi ask`, which runs other commands). */
  catalog?: import("./meta.js").Catalog;
}

export interface NodeOutcome {
  node: string;
  ok: boolean;
  changed: boolean;
  data?: unknown;
  plan?: Plan;
  error?: NixiError;
  warnings: string[];
  exitCode: number;
}

export const commandName = (spec: AnyCommand) => spec.path.join(" ");

/** An operate command changed something unless its data says `changed: false` (already running, already unlocked). */
const operateChanged = (spec: AnyCommand, data: unknown) => spec.risk === "operate" && !(data !== null && typeof data === "object" && (data as { changed?: unknown }).changed === false);

export async function runInvocation(inv: Invocation): Promise<number> {
  const { spec, flags, io } = inv;
  if (io.color && !flags.noColor) await preloadStyles();
  if (io.stdoutIsTTY && !flags.json) await preloadTables();
  let config: Config;
  let targets: string[];
  try {
    config = await loadConfig(flags.config ?? defaultConfigPath(inv.env), inv.env, { mustExist: flags.config !== undefined && !spec.createsConfig });
    targets = spec.controllerOnly ? [LOCAL] : resolveTargets(config, flags);
    if (spec.controllerOnly && (flags.nodes.some((n) => n !== LOCAL) || flags.allNodes || flags.tags.length > 0)) {
      throw new NixiError("INVALID_ARGUMENT", `\`nixi ${commandName(spec)}\` runs on the controller only; --node does not apply`);
    }
  } catch (e) {
    return report(inv, [failed(LOCAL, e)], false);
  }
  if (targets.length === 1) return report(inv, [await runOnNode(inv, config, targets[0])], false);
  // Several nodes: a bounded pool; in human mode each node's section is printed as soon as it is done.
  const { fanOut } = await import("./fanout.js");
  const stream = !flags.json;
  // a change goes out in waves and stops on failures (src/core/rolling.ts)
  const spread = spec.risk === "change" && !flags.dryRun ? rollOut : fanOut;
  const outcomes = await spread(inv, config, targets, (node) => runOnNode(inv, config, node), stream ? (o) => printHuman(inv, o, true) : undefined);
  return report(inv, outcomes, true, stream);
}

function failed(node: string, e: unknown, warnings: string[] = []): NodeOutcome {
  const err = toNixiError(e);
  return { node, ok: false, changed: false, error: err, warnings, exitCode: err.exitCode, ...(err.plan ? { plan: err.plan } : {}) };
}

/** --dry-run on a node that refuses every change (monitored) predicts the refusal: exit 4, with the plan. */
function predictRefusal(exec: Ctx["exec"], node: string, plan: Plan): NixiError | null {
  if (!exec.refusesChanges || planIsEmpty(plan)) return null;
  const err = new NixiError("MONITORED", `node ${node} is monitored (read-only): this change would be refused`, `nixi only reads from monitored nodes; to manage it, set mode = "managed" for it in config.toml`);
  err.plan = plan;
  return err;
}

export function makeCtx(inv: Invocation, config: Config, exec: Ctx["exec"], node: string, warnings: string[]): Ctx {
  const { io, flags } = inv;
  const st = styler(io.color);
  return {
    io,
    exec,
    root: flags.root,
    config,
    flags,
    env: inv.env,
    clock: inv.clock ?? (() => new Date()),
    prompter: inv.prompter ?? ttyPrompter(io),
    node,
    catalog: inv.catalog,
    interactive: io.stdoutIsTTY && !flags.noInput && io.stdinIsTTY,
    log: (m) => {
      if (!flags.quiet) io.stderr.write(inertLine(redact(m)) + "\n");
    },
    debug: (m) => {
      if (flags.verbose) io.stderr.write(st.dim(inertLine(redact(m))) + "\n");
    },
    warn: (m) => {
      warnings.push(redact(m));
      if (!flags.json) io.stderr.write(st.warn("warning: ") + inertLine(redact(m)) + "\n");
    },
    readStdin: () => readStdinOnce(io.stdin),
    readInputFile: async (flag, path) => {
      if (path === "-") return readStdinOnce(io.stdin);
      const { readFile } = await import("node:fs/promises");
      try {
        return await readFile(path, "utf8");
      } catch (e: any) {
        throw new NixiError("INVALID_ARGUMENT", `cannot read ${flag} ${path}: ${e.code ?? e.message}`);
      }
    },
  };
}

// stdin is read once per process and shared by every node's run (`--node a,b` with a piped secret).
const stdinRead = new WeakMap<NodeJS.ReadableStream, Promise<string>>();
function readStdinOnce(stdin: NodeJS.ReadableStream): Promise<string> {
  let p = stdinRead.get(stdin);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stdin.on("data", (c: Buffer | string) => chunks.push(Buffer.from(c)));
      stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      stdin.on("error", reject);
    });
    stdinRead.set(stdin, p);
  }
  return p;
}

export async function runOnNode(inv: Invocation, config: Config, node: string): Promise<NodeOutcome> {
  const { spec, input, flags } = inv;
  const warnings: string[] = [];
  let exec;
  try {
    exec = await createExecutor(node, config, flags, inv.env);
  } catch (e) {
    return failed(node, e, warnings);
  }
  const done = (changed: boolean, data: unknown, plan?: Plan): NodeOutcome => ({ node, ok: true, changed, data, plan, warnings, exitCode: spec.exitCode ? spec.exitCode(data) : EXIT.OK });
  try {
    // Under --dry-run an operate command runs against a recorder: reads happen, changes are listed.
    const recorder = spec.risk === "operate" && flags.dryRun ? new (await import("../exec/recording.js")).RecordingExecutor(exec) : null;
    const ctx = makeCtx(inv, config, recorder ?? exec, node, warnings);
    if (spec.mutate) {
      const { runChange } = await import("../nixos/transaction.js");
      const r = await runChange(ctx, (state) => spec.mutate!(state, input, ctx), { forceRebuild: spec.alwaysRebuild });
      warnings.push(...r.warnings.map(redact));
      const refusal = flags.dryRun ? predictRefusal(exec, node, r.plan) : null;
      if (refusal) return failed(node, refusal, warnings);
      return done(r.changed, r.data, r.plan);
    }
    if (spec.plan && spec.apply) {
      const { data: planData, ...plan } = await spec.plan(ctx, input);
      const refusal = flags.dryRun ? predictRefusal(exec, node, plan) : null;
      if (refusal) return failed(node, refusal, warnings);
      if (planIsEmpty(plan) || !(await confirmPlan(ctx, plan))) return { ...done(false, planData, plan), exitCode: EXIT.OK };
      return done(true, await spec.apply(ctx, input, plan), plan);
    }
    const data = await spec.run!(ctx, input);
    if (recorder) {
      const { describeCall } = await import("../exec/recording.js");
      const refusal = predictRefusal(exec, node, { summary: [], files: [], commands: recorder.calls.map((c) => describeCall(c)), rebuild: false });
      if (refusal) return failed(node, refusal, warnings);
      // under --root DIR without NIXI_ROOT_EXEC=1 the programs would be refused: say so now
      const firstRun = recorder.calls.find((c) => c.kind === "run");
      if (firstRun && node === LOCAL) {
        const { rootExecBlocked, rootExecError } = await import("../exec/root-guard.js");
        if (rootExecBlocked(flags.root, inv.env)) return failed(node, rootExecError(flags.root, (firstRun as { argv: string[] }).argv), warnings);
      }
      return done(false, data, { summary: [`would run \`nixi ${commandName(spec)}\``], files: [], commands: recorder.calls.map((c) => describeCall(c, exec.wrapsPrivileged ?? true)), rebuild: false });
    }
    return done(operateChanged(spec, data), data);
  } catch (e) {
    return failed(node, e, warnings);
  } finally {
    // -v: how many programs this run started on the node (issue 11; bench/remote.mjs reads it)
    if (flags.verbose) inv.io.stderr.write(`nixi: ${node}: ${exec.execCount()} exec calls\n`);
    await exec.close().catch(() => {});
  }
}

/** Print the outcomes (JSON envelope or human) and compute the exit code. */
export function report(inv: Invocation, outcomes: NodeOutcome[], multi: boolean, alreadyPrinted = false): number {
  const { spec, flags, io } = inv;
  const command = commandName(spec);
  const exitCode = !multi
    ? outcomes[0].exitCode
    : outcomes.every((o) => o.ok)
      ? Math.max(...outcomes.map((o) => o.exitCode))
      : outcomes.some((o) => o.ok)
        ? EXIT.PARTIAL
        : outcomes[0].exitCode;
  if (flags.json) {
    let env: Envelope;
    if (!multi) {
      const o = outcomes[0];
      env = { ok: o.ok, command, node: o.node, changed: o.changed, dryRun: flags.dryRun, warnings: o.warnings };
      if (o.ok) {
        env.data = o.data ?? null;
        env.plan = o.plan ?? null;
      } else {
        if (o.plan) env.plan = o.plan;
        env.error = errorBody(o.error!);
      }
    } else {
      const rollout = spec.risk === "change" && !flags.dryRun;
      const results: NodeResult[] = outcomes.map((o) => ({
        node: o.node,
        ok: o.ok,
        changed: o.changed,
        ...(rollout ? { outcome: outcomeOf(o) } : {}),
        ...(o.ok ? { data: o.data ?? null } : { error: errorBody(o.error!) }),
        ...(o.plan ? { plan: o.plan } : {}),
        warnings: o.warnings,
      }));
      env = { ok: outcomes.every((o) => o.ok), command, changed: outcomes.some((o) => o.changed), dryRun: flags.dryRun, warnings: [], results };
    }
    io.stdout.write(serializeEnvelope(env));
    return exitCode;
  }
  if (!alreadyPrinted) for (const o of outcomes) printHuman(inv, o, multi);
  if (multi) {
    const bad = outcomes.filter((o) => !o.ok).length;
    if (bad) io.stderr.write(styler(io.color).bad(`${bad} of ${outcomes.length} nodes failed\n`));
  }
  return exitCode;
}

/** Human output of one node's outcome (under a node header when there are several). */
export function printHuman(inv: Invocation, o: NodeOutcome, multi: boolean): void {
  const { spec, flags, io } = inv;
  const write = (s: string) => io.stdout.write(s);
  const out = humanOut(write, { color: io.color, tty: io.stdoutIsTTY });
  const st = styler(io.color);
  {
    if (multi) write(st.bold(`== ${o.node} ==`) + "\n");
    if (!o.ok) {
      const err = o.error!;
      io.stderr.write(`${multi ? `${o.node}: ` : ""}${st.bad("error:")} ${inertLine(redact(err.message))}\n`);
      if (err.hint) io.stderr.write(`${st.dim("hint:")} ${inertLine(redact(err.hint))}\n`);
      return;
    }
    if (o.plan && (flags.dryRun || spec.risk === "change")) {
      if (flags.dryRun) {
        write(renderPlan(o.plan, inv as any, { diffs: true }));
        if (!planIsEmpty(o.plan)) write(st.dim("dry run: nothing was changed\n"));
      } else if (!o.changed) {
        write(st.dim("nothing to change\n"));
      } else if (flags.verbose) {
        write(renderPlan(o.plan, inv as any, { diffs: true })); // -v: what was done, with the diffs
      } else if (!flags.quiet) {
        for (const b of o.plan.summary) write(`${st.ok("✓")} ${redact(b)}\n`);
      }
    }
    // a dry run of an operate command shows its plan only: its data describes what did not happen
    if (flags.dryRun && spec.risk === "operate") return;
    if (spec.render && o.data !== undefined) spec.render(o.data, out);
    else if (spec.risk !== "change" && !(flags.dryRun && spec.risk === "operate")) renderDefault(o.data, out);
  }
}
