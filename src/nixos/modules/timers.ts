// Area "timers": scheduled tasks as a systemd service + timer pair named nixi-<name>.
// state.toml: [timers.<name>] command = "...", onCalendar = "daily", user = "backup", description = "...".
// The command is the user's bash script (NixOS writes `script` to a store file that ExecStart runs);
// name, user, OnCalendar and description are validated so they stay inert in the unit files.
import type { Area } from "../areas.js";
import type { NixValue } from "../render.js";
import { checkTimerDef, escapeSpecifiers } from "../../system/timers.js";

export const timersArea: Area = {
  key: "timers",
  file: "timers.nix",
  render(section) {
    if (!section || typeof section !== "object") return null;
    const names = Object.keys(section).sort();
    if (names.length === 0) return null;
    const services: Record<string, NixValue> = {};
    const timers: Record<string, NixValue> = {};
    for (const name of names) {
      const def = checkTimerDef(name, section[name]);
      const unit = `nixi-${name}`;
      const description = escapeSpecifiers(def.description ?? `nixi timer ${name}`);
      const serviceConfig: Record<string, NixValue> = { Type: "oneshot" };
      if (def.user) serviceConfig.User = def.user;
      services[unit] = { description, script: def.command, serviceConfig };
      timers[unit] = {
        description,
        wantedBy: ["timers.target"],
        timerConfig: { OnCalendar: def.onCalendar, Persistent: true },
      };
    }
    return { systemd: { services, timers } };
  },
};
