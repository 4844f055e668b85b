// Rolling changes (issue 11): a change on several nodes goes out in waves of --rolling N nodes
// (default 1: the first node is the canary), and the rollout stops once --max-fail K nodes (default 1)
// failed or were reverted. Nodes after the stop are reported "not touched" (nothing ran there).
import type { Config } from "./config.js";
import type { Invocation, NodeOutcome } from "./runner.js";
import { NixiError, toNixiError } from "./errors.js";

export type RolloutOutcome = "changed" | "unchanged" | "reverted" | "failed" | "not touched";

export function outcomeOf(o: NodeOutcome): RolloutOutcome {
  if (o.ok) return o.changed ? "changed" : "unchanged";
  if (o.error?.code === "REVERTED") return "reverted";
  if (o.error?.code === "NOT_TOUCHED") return "not touched";
  return "failed";
}

export async function rollOut(
  inv: Invocation,
  _config: Config,
  targets: string[],
  runOne: (node: string) => Promise<NodeOutcome>,
  onOutcome?: (o: NodeOutcome) => void,
): Promise<NodeOutcome[]> {
  const wave = inv.flags.rolling ?? 1;
  const maxFail = inv.flags.maxFail ?? 1;
  const out: NodeOutcome[] = [];
  let failures = 0;
  for (let i = 0; i < targets.length; i += wave) {
    const batch = targets.slice(i, i + wave);
    if (failures >= maxFail) {
      for (const node of batch) {
        const error = new NixiError("NOT_TOUCHED", `not touched: the rollout stopped after ${failures} failed node${failures === 1 ? "" : "s"} (--max-fail ${maxFail})`, "fix the failed nodes, then run the change again for the rest (or raise --max-fail)");
        const o: NodeOutcome = { node, ok: false, changed: false, error, warnings: [], exitCode: error.exitCode };
        out.push(o);
        onOutcome?.(o);
      }
      continue;
    }
    const results = await Promise.all(
      batch.map((node) =>
        runOne(node).catch((e) => {
          const error = toNixiError(e);
          return { node, ok: false, changed: false, error, warnings: [], exitCode: error.exitCode } as NodeOutcome;
        }),
      ),
    );
    for (const o of results) {
      if (!o.ok) failures++;
      out.push(o);
      onOutcome?.(o);
    }
  }
  return out;
}
