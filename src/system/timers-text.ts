// `systemctl list-timers --all` as a table, for systemd versions that ignore --output=json
// (they print the table instead). Columns are found from the header's positions, since the
// date columns hold spaces ("Wed 2026-12-02 00:00:00 UTC").
import type { TimerRow } from "./systemd.js";

const COLUMNS = ["NEXT", "LEFT", "LAST", "PASSED", "UNIT", "ACTIVATES"] as const;

/** null when the text is not list-timers' table. */
export function parseTimersText(text: string): TimerRow[] | null {
  const lines = text.split("\n");
  const h = lines.findIndex((l) => /^\s*NEXT\s+LEFT\s+LAST\s+PASSED\s+UNIT\s+ACTIVATES\s*$/.test(l));
  if (h < 0) return null;
  const header = lines[h];
  const starts = COLUMNS.map((c) => header.indexOf(c));
  const rows: TimerRow[] = [];
  for (const line of lines.slice(h + 1)) {
    if (!line.trim()) break; // a blank line, then "N timers listed."
    const col = (i: number) => line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
    const unit = col(4);
    if (!unit) continue;
    rows.push({ unit, activates: col(5) || null, next: toIso(col(0)), last: toIso(col(2)) });
  }
  return rows;
}

/** "Wed 2026-12-02 00:00:00 UTC" -> ISO; "n/a", "-" or an unknown zone name -> null (no guessing). */
function toIso(s: string): string | null {
  const m = /^(?:\w{3} )?(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (UTC|GMT|[+-]\d{2}:?\d{2})$/.exec(s);
  if (!m) return null;
  const zone = m[3] === "UTC" || m[3] === "GMT" ? "Z" : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
  const d = new Date(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
