// Runs one command on several nodes: a bounded pool (--parallel, default [ssh] parallel = 10), each
// node's outcome handed on as soon as it is known, so a slow or dead node (which costs at most its
// connect timeout) never delays the others' results.
import type { Config } from "./config.js";
import type { Invocation, NodeOutcome } from "./runner.js";
import { mapPool } from "./pool.js";
import { toNixiError } from "./errors.js";

export function parallelism(inv: Invocation, config: Config, targets: number): number {
  const { flags, io, spec } = inv;
  // Confirmation prompts cannot be answered for several nodes at once: ask node by node.
  const prompts = spec.risk === "change" && !flags.yes && !flags.dryRun && io.stdoutIsTTY && !flags.noInput && io.stdinIsTTY;
  if (prompts) return 1;
  const n = flags.parallel ?? config.ssh.parallel;
  return Math.max(1, Math.min(targets, Math.floor(n) || 1));
}

export async function fanOut(
  inv: Invocation,
  config: Config,
  targets: string[],
  runOne: (node: string) => Promise<NodeOutcome>,
  onOutcome?: (o: NodeOutcome) => void,
): Promise<NodeOutcome[]> {
  const settled = await mapPool(targets, parallelism(inv, config, targets.length), runOne, (r, node) => {
    if (r.ok && onOutcome) onOutcome(r.value);
    else if (!r.ok && onOutcome) onOutcome(crashed(node, r.error));
  });
  return settled.map((r, i) => (r.ok ? r.value : crashed(targets[i], r.error)));
}

function crashed(node: string, e: unknown): NodeOutcome {
  const error = toNixiError(e);
  return { node, ok: false, changed: false, error, warnings: [], exitCode: error.exitCode };
}
