import { defineCommand } from "../../core/command.js";

export interface TimerListRow {
  name: string;
  unit: string;
  activates: string | null;
  next: string | null;
  last: string | null;
  /** Declared by nixi in timers.nix. */
  nixi: boolean;
  /** Declared in state.toml but not (yet) loaded on the machine (staged with --no-rebuild). */
  staged: boolean;
  /** Result of the activated unit's last run (success, exit-code, ...), null when unknown. */
  result: string | null;
}

export default defineCommand<Record<string, never>, TimerListRow[]>({
  path: ["timer", "list"],
  summary: "List systemd timers with their next and last run",
  risk: "read",
  examples: ["nixi timer list", "nixi timer list --json"],
  jsonFields: ["name", "unit", "activates", "next", "last", "result", "nixi", "staged"],
  async run(ctx) {
    const { readRun } = await import("../../system/gather.js");
    const { loadState } = await import("../../nixos/state.js");
    const { parseTimersJson, parseShowMany } = await import("../../system/systemd.js");
    const { declaredTimers } = await import("../../system/timer-ops.js");
    const declared = declaredTimers(await loadState(ctx));
    const r = await readRun(ctx, ["systemctl", "list-timers", "--all", "--output=json", "--no-pager"]);
    const rows: TimerListRow[] = (await parseTimers(r.stdout, parseTimersJson)).map((t) => {
      const base = t.unit.replace(/\.timer$/, "");
      const nixiName = base.startsWith("nixi-") ? base.slice(5) : null;
      return { name: nixiName ?? base, unit: t.unit, activates: t.activates, next: t.next, last: t.last, nixi: nixiName !== null && nixiName in declared, staged: false, result: null as string | null };
    });
    // One `systemctl show` for all activated units: the result of their last run.
    const units = rows.map((r) => r.activates).filter((u): u is string => !!u && /^[A-Za-z0-9:_.@\\-]+$/.test(u) && !u.startsWith("-"));
    if (units.length) {
      const s = await readRun(ctx, ["systemctl", "show", ...units, "--property=Id,Result,ExecMainStartTimestamp", "--no-pager"], { allowFail: true });
      const byId = new Map(parseShowMany(s.stdout).map((b) => [b.Id, b]));
      for (const r of rows) {
        const b = r.activates ? byId.get(r.activates) : undefined;
        // A unit that never ran reports Result=success with no start time: say nothing then.
        if (b && (b.Result !== "success" || (b.ExecMainStartTimestamp ?? "") !== "")) r.result = b.Result || null;
      }
    }
    for (const name of Object.keys(declared).sort()) {
      if (!rows.some((r) => r.unit === `nixi-${name}.timer`)) {
        rows.push({ name, unit: `nixi-${name}.timer`, activates: `nixi-${name}.service`, next: null, last: null, nixi: true, staged: true, result: null });
      }
    }
    return rows;
  },
  render(rows, out) {
    if (rows.length === 0) return out.line(out.style.dim("(no timers)"));
    out.table(rows, [
      { key: "name", header: "name" },
      { key: "next", header: "next", format: (v, r) => (r.staged ? "(staged: run nixi system rebuild)" : v ?? "-") },
      { key: "last", header: "last", format: (v) => v ?? "-" },
      { key: "result", header: "result", format: (v) => v ?? "-" },
      { key: "activates", header: "activates" },
      { key: "nixi", header: "nixi", format: (v) => (v ? "yes" : "") },
    ]);
  },
});

/** JSON from systemd >= 250; the table from older ones that ignore --output=json. Anything else is
 *  named as what it is, not as a JSON syntax error. */
async function parseTimers(text: string, parseJson: (t: string) => import("../../system/systemd.js").TimerRow[]) {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) return parseJson(trimmed);
  if (/^0 timers listed/.test(trimmed)) return []; // the table form with no timers has no header
  const table = (await import("../../system/timers-text.js")).parseTimersText(text);
  if (table) return table;
  const { NixiError } = await import("../../core/errors.js");
  throw new NixiError("FAILED", `systemctl list-timers printed neither JSON nor its table: ${JSON.stringify(trimmed.split("\n")[0].slice(0, 120))}`);
}
