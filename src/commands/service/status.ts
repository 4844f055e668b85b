import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { UnitName } from "../../system/schemas.js";

export interface ServiceStatus {
  unit: string;
  description: string | null;
  load: string | null;
  active: string | null;
  sub: string | null;
  enabled: string | null;
  fragmentPath: string | null;
  mainPid: number | null;
  result: string | null;
  exitStatus: number | null;
  restarts: number | null;
  memoryBytes: number | null;
  activeSince: string | null;
}

const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
const str = (v: string | undefined) => (v === undefined || v === "" ? null : v);

export default defineCommand<{ name: string }, ServiceStatus>({
  path: ["service", "status"],
  summary: "Show the state of one systemd unit",
  risk: "read",
  args: [{ name: "name", description: "unit name (nginx or nginx.service)", schema: UnitName }],
  examples: ["nixi service status nginx", "nixi service status sshd --json"],
  jsonFields: ["unit", "description", "load", "active", "sub", "enabled", "fragmentPath", "mainPid", "result", "exitStatus", "restarts", "memoryBytes", "activeSince"],
  async run(ctx, { name }) {
    const { showUnit } = await import("../../system/gather.js");
    const { normalizeUnit, showTimestamp } = await import("../../system/systemd.js");
    const unit = normalizeUnit(name);
    const p = await showUnit(ctx, unit);
    if (p.LoadState === "not-found") throw new NixiError("NOT_FOUND", `unit ${unit} not found`, "see `nixi service list`");
    return {
      unit: p.Id || unit,
      description: str(p.Description),
      load: str(p.LoadState),
      active: str(p.ActiveState),
      sub: str(p.SubState),
      enabled: str(p.UnitFileState),
      fragmentPath: str(p.FragmentPath),
      mainPid: num(p.MainPID) || null,
      result: str(p.Result),
      exitStatus: num(p.ExecMainStatus),
      restarts: num(p.NRestarts),
      memoryBytes: num(p.MemoryCurrent),
      activeSince: showTimestamp(p.ActiveEnterTimestamp),
    };
  },
  render(s, out) {
    const active = s.active === "failed" ? out.style.bad(`${s.active} (${s.sub})`) : `${s.active} (${s.sub})`;
    out.kv([
      ["unit", s.unit],
      ["description", s.description],
      ["loaded", `${s.load}${s.enabled ? `, ${s.enabled}` : ""}`],
      ["active", active + (s.activeSince ? ` since ${s.activeSince}` : "")],
      ["main pid", s.mainPid],
      ["result", s.result],
      ["restarts", s.restarts],
      ["memory", s.memoryBytes === null ? null : `${(s.memoryBytes / 1048576).toFixed(1)} MiB`],
      ["unit file", s.fragmentPath],
    ]);
  },
});
