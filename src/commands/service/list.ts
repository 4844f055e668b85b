import { defineCommand } from "../../core/command.js";
import type { UnitRow } from "../../system/systemd.js";
import { z } from "zod";

export const unitColumns = [
  { key: "unit", header: "unit" },
  { key: "load", header: "load" },
  { key: "active", header: "active" },
  { key: "sub", header: "sub" },
  { key: "description", header: "description" },
];

export default defineCommand<{ state?: string; all?: boolean }, UnitRow[]>({
  path: ["service", "list"],
  summary: "List systemd services with their load, active and sub state",
  risk: "read",
  flags: {
    state: { type: "string", description: "only units in this state (active, inactive, failed, running, exited, dead, ...)", placeholder: "state", schema: z.string().regex(/^[a-z-]{2,20}(,[a-z-]{2,20})*$/, "a unit state such as running, failed or inactive") },
  },
  examples: ["nixi service list", "nixi service list --state failed", "nixi service list --state running --json"],
  jsonFields: ["unit", "load", "active", "sub", "description"],
  async run(ctx, { state }) {
    const { listUnits } = await import("../../system/gather.js");
    return listUnits(ctx, ["--type=service", "--all", ...(state ? [`--state=${state}`] : [])]);
  },
  render(rows, out) {
    if (rows.length === 0) return out.line(out.style.dim("(no services)"));
    out.table(rows.map((r) => ({ ...r, active: r.active === "failed" ? out.style.bad(r.active) : r.active })), unitColumns);
  },
});
