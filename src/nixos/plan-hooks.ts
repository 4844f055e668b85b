// Checks and additions to a change's plan before it is confirmed: the lock-out guards
// (src/nixos/lockout.ts). One call from the transaction, so features stay out of it.
import type { Ctx } from "../core/context.js";
import type { Plan } from "../core/plan.js";
import type { State } from "./state.js";

export interface PlanFacts {
  before: State;
  after: State;
  rebuild: boolean;
}

export async function planHooks(ctx: Ctx, plan: Plan, facts: PlanFacts): Promise<void> {
  const { checkLockout } = await import("./lockout.js");
  await checkLockout(ctx, plan, facts);
}
