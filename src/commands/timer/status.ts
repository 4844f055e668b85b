import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { TimerRef } from "../../system/schemas.js";

export interface TimerStatus {
  name: string;
  unit: string;
  service: string;
  description: string | null;
  active: string | null;
  enabled: string | null;
  schedule: string[];
  next: string | null;
  last: string | null;
  /** The last run's result (success, exit-code, timeout, ...) and exit status. */
  result: string | null;
  exitStatus: number | null;
  lastExit: string | null;
  /** nixi's definition from state.toml, when nixi declared it. */
  definition: { command: string; onCalendar: string; user?: string; description?: string } | null;
}

export default defineCommand<{ name: string }, TimerStatus>({
  path: ["timer", "status"],
  summary: "Show a timer: schedule, next and last run, last result",
  risk: "read",
  args: [{ name: "name", description: "a nixi timer name (backup) or any timer unit (logrotate.timer)", schema: TimerRef }],
  examples: ["nixi timer status backup", "nixi timer status logrotate.timer --json"],
  jsonFields: ["name", "unit", "service", "description", "active", "enabled", "schedule", "next", "last", "result", "exitStatus", "lastExit", "definition"],
  async run(ctx, { name }) {
    const { showUnit } = await import("../../system/gather.js");
    const { loadState } = await import("../../nixos/state.js");
    const { showTimestamp } = await import("../../system/systemd.js");
    const { declaredTimers, timerUnit } = await import("../../system/timer-ops.js");
    const declared = declaredTimers(await loadState(ctx));
    const unit = timerUnit(name, declared);
    const t = await showUnit(ctx, unit, ["Id", "Description", "LoadState", "ActiveState", "SubState", "UnitFileState", "TimersCalendar", "NextElapseUSecRealtime", "LastTriggerUSec", "Unit"]);
    const baseName = unit.replace(/\.timer$/, "").replace(/^nixi-/, "");
    const def = declared[baseName] && unit === `nixi-${baseName}.timer` ? declared[baseName] : null;
    if (t.LoadState === "not-found") {
      if (def) throw new NixiError("NOT_FOUND", `timer ${baseName} is declared but not active yet`, "run `nixi system rebuild` to apply staged changes");
      throw new NixiError("NOT_FOUND", `timer ${unit} not found`, "see `nixi timer list`");
    }
    const service = t.Unit || unit.replace(/\.timer$/, ".service");
    const s = await showUnit(ctx, service, ["Id", "Result", "ExecMainStatus", "ExecMainExitTimestamp", "ActiveState"]);
    const schedule = [...(t.TimersCalendar ?? "").matchAll(/OnCalendar=([^;]+?)\s*;/g)].map((m) => m[1].trim());
    return {
      name: baseName,
      unit,
      service,
      description: t.Description || null,
      active: t.ActiveState ? `${t.ActiveState}${t.SubState ? ` (${t.SubState})` : ""}` : null,
      enabled: t.UnitFileState || null,
      schedule,
      next: showTimestamp(t.NextElapseUSecRealtime),
      last: showTimestamp(t.LastTriggerUSec),
      result: s.Result || null,
      exitStatus: s.ExecMainStatus && /^\d+$/.test(s.ExecMainStatus) ? Number(s.ExecMainStatus) : null,
      lastExit: showTimestamp(s.ExecMainExitTimestamp),
      definition: def ? { command: def.command, onCalendar: def.onCalendar, ...(def.user ? { user: def.user } : {}), ...(def.description ? { description: def.description } : {}) } : null,
    };
  },
  render(s, out) {
    out.kv([
      ["timer", s.unit],
      ["description", s.description],
      ["state", `${s.active ?? "?"}${s.enabled ? `, ${s.enabled}` : ""}`],
      ["schedule", s.schedule.join("; ") || null],
      ["next run", s.next],
      ["last run", s.last],
      ["last result", s.result === null ? null : s.result === "success" ? out.style.ok(s.result) : out.style.bad(`${s.result}${s.exitStatus ? ` (exit ${s.exitStatus})` : ""}`)],
      ["runs", s.service],
      ...(s.definition ? ([["command", s.definition.command], ["user", s.definition.user ?? "root"]] as Array<[string, unknown]>) : []),
    ]);
  },
});
