// Insecure-request findings: a plan that makes the machine less secure carries them, and the gate
// refuses it (exit 4) unless the person adds --insecure. The engine knows no rule: commands (and the
// transaction's state-diff hook) attach findings; this file only shows and gates them.
import type { Ctx } from "./context.js";
import { NixiError } from "./errors.js";
import { styler } from "./human.js";
import { redact } from "./redact.js";

export interface Finding {
  /** Stable id, e.g. "firewall-disabled" (docs/security.md lists them). */
  id: string;
  /** What the request does, in one line. */
  what: string;
  /** Why that is less secure. */
  why: string;
  /** The secure way to get what is wanted, as a nixi command line (or a short instruction). */
  alternative: string;
}

/** Same finding (id + what) listed once. */
export function uniqueFindings(list: Finding[]): Finding[] {
  const seen = new Set<string>();
  return list.filter((f) => {
    const k = `${f.id}\0${f.what}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function renderFindings(findings: Finding[], color: boolean): string {
  const s = styler(color);
  const lines = [s.bad("Insecure request:")];
  for (const f of findings) {
    lines.push(`  ! ${f.what} [${f.id}]`);
    lines.push(`    why: ${f.why}`);
    lines.push(`    instead: ${f.alternative}`);
  }
  return redact(lines.join("\n")) + "\n";
}

/** The gate for findings. Without --insecure: exit 4 with the alternatives. With --insecure: on a
 *  TTY a separate question that defaults to No; otherwise --yes must be given too (exit 3). */
export async function gateFindings(ctx: Ctx, findings: Finding[]): Promise<void> {
  if (findings.length === 0) return;
  const ids = [...new Set(findings.map((f) => f.id))];
  if (!ctx.flags.insecure) {
    if (!ctx.flags.json) ctx.io.stderr.write(renderFindings(findings, ctx.io.color));
    throw new NixiError(
      "INSECURE",
      `refused: this makes the machine less secure (${ids.join(", ")}); nothing was changed`,
      `instead: ${findings[0].alternative}${findings.length > 1 ? " (see the other alternatives above)" : ""}; or add --insecure to accept the risk`,
      { findings: findings.map((f) => ({ ...f })) },
    );
  }
  if (ctx.interactive) {
    ctx.io.stderr.write(renderFindings(findings, ctx.io.color));
    if (await ctx.prompter.confirm(`This makes the machine less secure (${ids.join(", ")}). Do it anyway?`)) return;
    throw new NixiError("DECLINED", "declined the insecure change: nothing was changed");
  }
  if (!ctx.flags.yes) {
    if (!ctx.flags.json) ctx.io.stderr.write(renderFindings(findings, ctx.io.color));
    throw new NixiError("CONFIRMATION_REQUIRED", "an insecure change needs --insecure and --yes when not running interactively: nothing was changed", "add --yes as well, or --dry-run to only show the plan");
  }
  ctx.warn(`accepted insecure change (--insecure): ${ids.join(", ")}`);
}
