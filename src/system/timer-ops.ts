// Helpers shared by the timer commands.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { checkCalendarChars } from "./timers.js";
import { parseCalendarAnalysis, type CalendarAnalysis } from "./systemd.js";

/** Validate an OnCalendar expression: a character allow-list, then `systemd-analyze calendar` on the node when it exists. */
export async function validateCalendar(ctx: Ctx, spec: string, what = "OnCalendar"): Promise<CalendarAnalysis | null> {
  checkCalendarChars(spec);
  const r = await ctx.exec.run(["systemd-analyze", "calendar", "--", spec], { readOnly: true, timeoutMs: 15_000 });
  if (r.notFound) {
    ctx.warn("systemd-analyze is not installed here: the calendar expression was only checked for allowed characters");
    return null;
  }
  if (r.exitCode !== 0) {
    const why = (r.stderr.trim().split("\n").pop() ?? "").trim();
    throw new NixiError("INVALID_ARGUMENT", `invalid ${what} ${JSON.stringify(spec)}: ${why || `systemd-analyze exit ${r.exitCode}`}`, 'see `man systemd.time`; examples: "daily", "Mon..Fri 02:30", "*-*-* 04:00:00"');
  }
  const a = parseCalendarAnalysis(r.stdout);
  if (a.nextElapse === null) throw new NixiError("INVALID_ARGUMENT", `${what} ${JSON.stringify(spec)} never elapses (it is in the past)`);
  return a;
}

/** Which timer unit a NAME means: "backup" -> nixi-backup.timer when nixi declares it, "logrotate" -> logrotate.timer. */
/** The unit a `nixi timer enable|disable NAME` acts on: a nixi timer by its name, else any timer unit. */
export async function resolveTimerUnit(ctx: Ctx, name: string): Promise<string> {
  const { loadState } = await import("../nixos/state.js");
  return timerUnit(name, declaredTimers(await loadState(ctx)));
}

export function timerUnit(name: string, declared: Record<string, unknown>): string {
  if (name.endsWith(".timer")) return name;
  if (Object.prototype.hasOwnProperty.call(declared, name)) return `nixi-${name}.timer`;
  return `${name}.timer`;
}

export const declaredTimers = (state: Record<string, any>): Record<string, any> =>
  state.timers && typeof state.timers === "object" ? state.timers : {};
