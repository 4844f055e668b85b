// The confirmation gate (DESIGN section 4).
import type { Ctx } from "./context.js";
import type { Plan } from "./plan.js";
import { NixiError } from "./errors.js";
import { renderPlan } from "./human.js";
import { gateFindings } from "./findings.js";

/** Returns true to go ahead, false for --dry-run; throws exit 3 when confirmation is missing or declined. */
export async function confirmPlan(ctx: Ctx, plan: Plan): Promise<boolean> {
  if (ctx.flags.dryRun) return false;
  const findings = plan.findings ?? [];
  if (findings.length && !ctx.flags.insecure) {
    if (!ctx.flags.json) ctx.io.stderr.write(renderPlan({ ...plan, findings: [] }, ctx, { diffs: false }));
    await gateFindings(ctx, findings); // throws exit 4
  }
  if (ctx.flags.yes) {
    // an insecure change on a TTY still gets its own question, even with --yes
    await gateFindings(ctx, findings);
    return true;
  }
  if (ctx.interactive) {
    ctx.io.stderr.write(renderPlan({ ...plan, findings: [] }, ctx, { diffs: ctx.flags.verbose }));
    if (!(await ctx.prompter.confirm("Apply these changes?"))) throw new NixiError("DECLINED", "declined: nothing was changed");
    await gateFindings(ctx, findings);
    return true;
  }
  if (!ctx.flags.json) ctx.io.stderr.write(renderPlan(plan, ctx, { diffs: true }));
  const err = new NixiError(
    "CONFIRMATION_REQUIRED",
    "this command changes the machine and needs confirmation: nothing was changed",
    "add --yes to apply when not running interactively, or --dry-run to only show the plan",
  );
  err.plan = plan; // --json: the envelope carries the plan, no second --dry-run call needed
  throw err;
}
