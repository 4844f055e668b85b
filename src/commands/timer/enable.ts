import { defineCommand } from "../../core/command.js";
import { TimerRef } from "../../system/schemas.js";
import { operate, renderOperate, type OperateResult } from "../../system/service-operate.js";

export default defineCommand<{ name: string }, OperateResult>({
  path: ["timer", "enable"],
  summary: "Enable and start a timer now (systemctl enable --now)",
  risk: "operate",
  args: [{ name: "name", description: "a nixi timer name (backup) or any timer unit (logrotate.timer)", schema: TimerRef }],
  examples: ["nixi timer enable backup", "nixi timer enable logrotate.timer --json"],
  jsonFields: ["unit", "action", "active", "sub", "enabled"],
  async run(ctx, { name }) {
    const { resolveTimerUnit } = await import("../../system/timer-ops.js");
    const unit = await resolveTimerUnit(ctx, name);
    return operate(ctx, unit, "enable", (u) =>
      u.startsWith("nixi-") ? "" : "to change it for good, change the NixOS option that declares it",
    );
  },
  render: renderOperate,
});
