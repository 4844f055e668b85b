import type { Ctx } from "../core/context.js";
import type { Plan } from "../core/plan.js";
import type { PlanFacts } from "./plan-hooks.js";
export async function checkLockout(_ctx: Ctx, _plan: Plan, _facts: PlanFacts): Promise<void> {}
