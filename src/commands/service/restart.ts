import { defineCommand } from "../../core/command.js";
import { UnitName } from "../../system/schemas.js";
import { operate, renderOperate, type OperateResult } from "../../system/service-operate.js";

export default defineCommand<{ name: string }, OperateResult>({
  path: ["service", "restart"],
  summary: "Restart a systemd unit",
  risk: "operate",
  args: [{ name: "name", description: "unit name (nginx or nginx.service)", schema: UnitName }],
  examples: ["nixi service restart nginx", "nixi service restart nginx --json"],
  jsonFields: ["unit", "action", "active", "sub", "enabled"],
  run(ctx, { name }) {
    return operate(ctx, name, "restart");
  },
  render: renderOperate,
});
