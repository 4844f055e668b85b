// Validation for timer definitions: everything but the command must be inert in a unit file.
import { NixiError } from "../core/errors.js";

/** Timer name: becomes the unit name nixi-<name>.{service,timer}. */
export const TIMER_NAME = /^[a-z0-9][a-z0-9_-]{0,47}$/;
/** Login name as NixOS users.users accepts, without the trailing-$ machine-account form. */
import { USER_NAME_RE as USER_NAME } from "../users/names.js";
/** Characters an OnCalendar expression can contain (weekday names, dates, times, ~, /, ranges, lists, time zones). */
export const CALENDAR_CHARS = /^[A-Za-z0-9*][A-Za-z0-9 :*,./~+_-]{0,199}$/;

export interface TimerDef {
  command: string;
  onCalendar: string;
  user?: string;
  description?: string;
}

export function checkTimerName(name: string): string {
  if (!TIMER_NAME.test(name)) {
    throw new NixiError("INVALID_ARGUMENT", `invalid timer name "${name}"`, "use lowercase letters, digits, - and _ (at most 48 characters), e.g. backup-db");
  }
  return name;
}

export function checkUser(user: string): string {
  if (!USER_NAME.test(user)) {
    throw new NixiError("INVALID_ARGUMENT", `invalid user name "${user}"`, "a login name: lowercase letters, digits, _ and -, starting with a letter or _");
  }
  return user;
}

export function checkCalendarChars(spec: string): string {
  if (!CALENDAR_CHARS.test(spec) || spec.trim() !== spec) {
    throw new NixiError(
      "INVALID_ARGUMENT",
      `invalid OnCalendar specification ${JSON.stringify(spec)}`,
      'use a systemd calendar expression such as "daily", "Mon..Fri 02:30" or "*-*-* 04:00:00" (see man systemd.time)',
    );
  }
  return spec;
}

export function checkDescription(d: string): string {
  // A unit file line: no control characters, no trailing backslash (line continuation).
  if (d.length > 200 || /[\x00-\x1f\x7f\\]/.test(d)) {
    throw new NixiError("INVALID_ARGUMENT", `invalid description ${JSON.stringify(d)}`, "one line of at most 200 characters without backslashes or control characters");
  }
  return d;
}

export function checkCommand(c: string): string {
  if (c.trim() === "") throw new NixiError("INVALID_ARGUMENT", "the timer command is empty", 'give --command "..." (it is run by bash)');
  if (c.includes("\0")) throw new NixiError("INVALID_ARGUMENT", "the timer command contains a NUL byte");
  if (c.length > 10000) throw new NixiError("INVALID_ARGUMENT", "the timer command is longer than 10000 characters", "put it in a script and run that");
  return c;
}

/** Validates a whole definition (also used on hand-edited state.toml before rendering). */
export function checkTimerDef(name: string, def: any): TimerDef {
  checkTimerName(name);
  if (!def || typeof def !== "object") throw new NixiError("STATE_INVALID", `timers.${name} in state.toml is not a table`);
  if (typeof def.command !== "string") throw new NixiError("STATE_INVALID", `timers.${name}.command in state.toml must be a string`);
  if (typeof def.onCalendar !== "string") throw new NixiError("STATE_INVALID", `timers.${name}.onCalendar in state.toml must be a string`);
  const out: TimerDef = { command: checkCommand(def.command), onCalendar: checkCalendarChars(def.onCalendar) };
  if (def.user !== undefined) out.user = checkUser(String(def.user));
  if (def.description !== undefined) out.description = checkDescription(String(def.description));
  return out;
}

/** In unit files `%` starts a specifier; `%%` is a literal percent sign. */
export const escapeSpecifiers = (s: string) => s.replace(/%/g, "%%");
