// zod schemas for arguments of the system, pkg, channel, service and timer commands.
import { z } from "zod";
import { ATTR_PATH } from "../nixos/render.js";
import { TIMER_NAME, CALENDAR_CHARS } from "./timers.js";
export { UserName } from "../users/validate.js";

/** A systemd unit name ("nginx" means nginx.service). Never starts with "-" (no option injection), no globs. */
const UNIT = /^[A-Za-z0-9_][A-Za-z0-9:_.@\\-]{0,255}$/;
export const UnitName = z
  .string()
  .regex(UNIT, "not a systemd unit name (letters, digits, : _ . @ \\ -; no leading -)");

export const TimerNameArg = z.string().regex(TIMER_NAME, "timer names use lowercase letters, digits, - and _ (at most 48 characters)");
export const TimerRef = z.string().regex(UNIT, "not a timer name or timer unit");
export const CalendarSpec = z.string().regex(CALENDAR_CHARS, "not a systemd calendar expression (allowed: letters, digits, space and : * , . / ~ + _ -)");

export const PackageAttr = z
  .string()
  .regex(ATTR_PATH, "not a package attribute path (like htop or python3Packages.requests)")
  .refine((s) => !s.split(".").some((p) => ["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"].includes(p)), "a Nix keyword is not a package name");

export const SearchTerm = z.string().min(1).max(200).regex(/^[^-\s][^\n\0]*$/, "a search term (regular expression) that does not start with - or whitespace");

export const ChannelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, "channel names use letters, digits, . _ + -");
export const ChannelUrl = z.string().regex(/^https?:\/\/[^\s'"\\]+$/, "a channel URL starting with https:// (no spaces or quotes)");

/** journalctl --since: absolute ("2026-11-21 10:00") or relative ("1 hour ago", "-2h", "today"). */
export const SinceSpec = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 :+.-]{0,63}$|^-[0-9][A-Za-z0-9 :.]{0,62}$/, "a time such as \"1 hour ago\", \"today\", \"-2h\" or \"2026-11-21 10:00\"");

export const PositiveInt = (max: number) => z.number().int().min(1).max(max);
