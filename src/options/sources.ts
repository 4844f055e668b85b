// Both levels for the read commands: the catalog and, where possible, the machine's evaluation.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import type { EvaluatedOption } from "./evaluate.js";

export interface MachineRead {
  evaluated: boolean;
  seconds?: number;
  cached?: boolean;
  /** Why the machine was not asked, or why asking failed. */
  skipped?: string;
  option?: EvaluatedOption;
}

export async function readFromMachine(ctx: Ctx, segs: string[], withValue: boolean): Promise<MachineRead> {
  const { evaluationAvailable, evaluateOption } = await import("./evaluate.js");
  const avail = await evaluationAvailable(ctx);
  if (!avail.ok) return { evaluated: false, skipped: avail.why };
  try {
    const r = await evaluateOption(ctx, avail, segs, withValue);
    return { evaluated: true, seconds: r.seconds, cached: r.cached, option: r.result };
  } catch (e) {
    if (!(e instanceof NixiError)) throw e;
    ctx.warn(`could not read the option from the machine: ${e.message}`);
    return { evaluated: false, skipped: e.message.replace(/\s*\n\s*/g, " ") };
  }
}
