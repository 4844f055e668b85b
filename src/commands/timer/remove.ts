import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { TimerNameArg } from "../../system/schemas.js";

export default defineCommand<{ name: string }, { name: string; unit: string }>({
  path: ["timer", "remove"],
  summary: "Remove a timer nixi declared (service and timer leave timers.nix)",
  risk: "change",
  args: [{ name: "name", description: "timer name as given to `nixi timer create`", schema: TimerNameArg }],
  examples: ["nixi timer remove backup", "nixi timer remove backup --dry-run"],
  jsonFields: ["name", "unit"],
  mutate(state, { name }) {
    const timers = state.timers && typeof state.timers === "object" ? state.timers : {};
    if (!Object.prototype.hasOwnProperty.call(timers, name)) {
      const known = Object.keys(timers).sort();
      throw new NixiError("NOT_FOUND", `nixi has no timer named ${name}`, known.length ? `nixi's timers: ${known.join(", ")}` : "nixi declares no timers (see `nixi timer list`)");
    }
    delete timers[name];
    if (Object.keys(timers).length === 0) delete state.timers;
    return { summary: [`remove timer nixi-${name}`], data: { name, unit: `nixi-${name}` } };
  },
});
