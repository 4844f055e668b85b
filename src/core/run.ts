// Run a program through the executor and turn "missing" or "failed" into a clear NixiError,
// so commands do not each write their own version of that message.
import type { Ctx } from "./context.js";
import type { RunResult } from "./executor.js";
import { NixiError } from "./errors.js";
import { rootExecError } from "../exec/root-guard.js";

export interface CheckedRunOptions {
  readOnly?: boolean;
  privileged?: boolean;
  timeoutMs?: number;
  cwd?: string;
  input?: string;
  /** Return a non-zero exit instead of throwing (a missing program still throws). */
  allowFail?: boolean;
  /** Hint when the program is not on the node (what to install). */
  notFoundHint?: string;
  /** Hint when the program fails. */
  failHint?: string;
}

/** The last lines of a program's output, on one line (for error messages). */
export const lastLines = (s: string, n = 3) => s.trim().split("\n").slice(-n).join(" | ").slice(0, 500);

export async function runChecked(ctx: Ctx, argv: string[], opts: CheckedRunOptions = {}): Promise<RunResult> {
  const r = await ctx.exec.run(argv, {
    readOnly: opts.readOnly,
    privileged: opts.privileged,
    timeoutMs: opts.timeoutMs ?? 600_000,
    cwd: opts.cwd,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  if (r.notRunUnderRoot) throw rootExecError(ctx.root, argv);
  if (r.notFound) throw new NixiError("FAILED", `${argv[0]} was not found on ${ctx.node === "local" ? "this machine" : ctx.node}`, opts.notFoundHint);
  if (r.exitCode !== 0 && !opts.allowFail) throw commandError(argv, r, opts.failHint);
  return r;
}

/** The error for a program that ran and failed: its argv, exit code and last lines of output. */
export function commandError(argv: string[], r: RunResult, hint?: string): NixiError {
  // systemctl exits 5 for a unit that does not exist
  const code = r.exitCode === 5 && argv[0] === "systemctl" ? "NOT_FOUND" : "FAILED";
  return new NixiError(code, `\`${argv.join(" ")}\` failed (exit ${r.exitCode}${r.timedOut ? ", timed out" : ""}): ${lastLines(r.stderr || r.stdout)}`, hint);
}
