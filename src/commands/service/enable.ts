import { defineCommand } from "../../core/command.js";
import { UnitName } from "../../system/schemas.js";
import { operate, renderOperate, type OperateResult } from "../../system/service-operate.js";

export default defineCommand<{ name: string }, OperateResult>({
  path: ["service", "enable"],
  summary: "Enable and start a unit now (systemctl enable --now)",
  risk: "operate",
  args: [{ name: "name", description: "unit name (nginx or nginx.service)", schema: UnitName }],
  examples: ["nixi service enable nginx", "nixi service enable nginx --json"],
  jsonFields: ["unit", "action", "active", "sub", "enabled"],
  run(ctx, { name }) {
    return operate(ctx, name, "enable");
  },
  render: renderOperate,
});
