// Pure parsers for systemctl and journalctl output.

export interface UnitRow {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
}

/** `systemctl list-units --output=json`: [{"unit","load","active","sub","description"}]. */
export function parseUnitsJson(text: string): UnitRow[] {
  const arr = JSON.parse(text);
  if (!Array.isArray(arr)) throw new Error("systemctl list-units --output=json: expected an array");
  return arr.map((u: any) => ({
    unit: String(u.unit ?? ""),
    load: String(u.load ?? ""),
    active: String(u.active ?? ""),
    sub: String(u.sub ?? ""),
    description: String(u.description ?? ""),
  }));
}

/** `systemctl list-units --plain --no-legend --no-pager` columns: UNIT LOAD ACTIVE SUB DESCRIPTION (a "●" may lead failed units). */
export function parseUnitsPlain(text: string): UnitRow[] {
  const out: UnitRow[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s*[●*]\s+/, "").trim();
    if (!line) continue;
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    out.push({ unit: m[1], load: m[2], active: m[3], sub: m[4], description: (m[5] ?? "").trim() });
  }
  return out;
}

/** Output of either form (JSON when it starts with "["). */
export function parseUnits(text: string): UnitRow[] {
  return text.trimStart().startsWith("[") ? parseUnitsJson(text) : parseUnitsPlain(text);
}

/** `systemctl show UNIT --property=A,B`: KEY=value lines (several units are separated by blank lines; only the first is kept). */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line === "" && Object.keys(out).length > 0) break;
    const i = line.indexOf("=");
    if (i <= 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** `systemctl show A B C --property=...`: one block per unit, separated by blank lines. */
export function parseShowMany(text: string): Array<Record<string, string>> {
  return text
    .split(/\n\s*\n/)
    .map((block) => parseShow(block))
    .filter((b) => Object.keys(b).length > 0);
}

/** A systemd timestamp property: "@1763719200" (--timestamp=unix), "Sat 2026-11-21 10:00:00 UTC", "", "n/a", "0". Returns ISO or null. */
export function showTimestamp(v: string | undefined): string | null {
  if (!v || v === "n/a" || v === "0") return null;
  const unix = /^@(\d+)$/.exec(v);
  if (unix) return new Date(Number(unix[1]) * 1000).toISOString();
  const m = /^(?:[A-Za-z]{3}\s+)?(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})(?:\s+(UTC|GMT|[+-]\d{4}))?/.exec(v);
  if (!m) return null;
  const tz = !m[3] || m[3] === "UTC" || m[3] === "GMT" ? "Z" : m[3].slice(0, 3) + ":" + m[3].slice(3);
  const d = new Date(`${m[1]}T${m[2]}${tz}`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A systemd usec timestamp (journal, timers JSON) to ISO, null for 0 / null / infinity. */
export function usecToIso(v: unknown): string | null {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n <= 0 || n >= 2 ** 63 - 1 || n > 1e17) return null;
  return new Date(Math.floor(n / 1000)).toISOString();
}

export interface JournalEntry {
  time: string | null;
  unit: string | null;
  identifier: string | null;
  pid: number | null;
  priority: number | null;
  message: string;
}

function journalField(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  // Binary or non-UTF-8 fields are arrays of byte values; repeated fields are arrays of those.
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "number")) return Buffer.from(v as number[]).toString("utf8");
    return v.map((x) => journalField(x) ?? "").join("\n");
  }
  return String(v);
}

/** `journalctl -o json`: one JSON object per line; __REALTIME_TIMESTAMP is microseconds as a string. */
export function parseJournal(text: string): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (!l.startsWith("{")) continue;
    let o: any;
    try {
      o = JSON.parse(l);
    } catch {
      continue;
    }
    out.push(journalEntry(o));
  }
  return out;
}

export function journalEntry(o: any): JournalEntry {
  const pid = journalField(o._PID);
  const prio = journalField(o.PRIORITY);
  return {
    time: usecToIso(journalField(o.__REALTIME_TIMESTAMP)),
    unit: journalField(o._SYSTEMD_UNIT) ?? journalField(o.UNIT),
    identifier: journalField(o.SYSLOG_IDENTIFIER),
    pid: pid !== null && /^\d+$/.test(pid) ? Number(pid) : null,
    priority: prio !== null && /^[0-7]$/.test(prio) ? Number(prio) : null,
    message: journalField(o.MESSAGE) ?? "",
  };
}

export interface TimerRow {
  unit: string;
  activates: string | null;
  next: string | null;
  last: string | null;
}

/** `systemctl list-timers --all --output=json`: [{"next","left","last","passed","unit","activates"}], times in µs since the epoch. */
export function parseTimersJson(text: string): TimerRow[] {
  const arr = JSON.parse(text);
  if (!Array.isArray(arr)) throw new Error("systemctl list-timers --output=json: expected an array");
  return arr.map((t: any) => ({
    unit: String(t.unit ?? ""),
    activates: t.activates ? String(t.activates) : null,
    next: usecToIso(t.next),
    last: usecToIso(t.last),
  }));
}


export function normalizeUnit(name: string, defaultSuffix = ".service"): string {
  return /\.(service|socket|timer|target|mount|automount|path|slice|scope|swap|device)$/.test(name) ? name : name + defaultSuffix;
}

export interface CalendarAnalysis {
  normalized: string | null;
  /** "Sun 2026-11-22 03:00:00 UTC" as printed, null for "never". */
  nextElapse: string | null;
}

/** `systemd-analyze calendar SPEC`: "  Original form: ...\nNormalized form: ...\n    Next elapse: ...\n" (first spec only). */
export function parseCalendarAnalysis(text: string): CalendarAnalysis {
  const norm = /^\s*Normalized form:\s*(.+)$/m.exec(text);
  const next = /^\s*Next elapse:\s*(.+)$/m.exec(text);
  const n = next?.[1].trim() ?? null;
  return { normalized: norm?.[1].trim() ?? null, nextElapse: n === null || n === "never" ? null : n };
}
