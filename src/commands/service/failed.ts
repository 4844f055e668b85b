import { defineCommand } from "../../core/command.js";
import type { UnitRow } from "../../system/systemd.js";
import { unitColumns } from "./list.js";

export default defineCommand<Record<string, never>, UnitRow[]>({
  path: ["service", "failed"],
  summary: "List failed systemd units",
  risk: "read",
  examples: ["nixi service failed", "nixi service failed --json"],
  jsonFields: ["unit", "load", "active", "sub", "description"],
  async run(ctx) {
    const { listUnits } = await import("../../system/gather.js");
    return listUnits(ctx, ["--failed"]);
  },
  render(rows, out) {
    if (rows.length === 0) return out.line(out.style.ok("no failed units"));
    out.table(rows, unitColumns);
  },
});
