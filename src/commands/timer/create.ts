import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { CalendarSpec, TimerNameArg, UserName } from "../../system/schemas.js";
import { z } from "zod";

interface CreateInput {
  name: string;
  command: string;
  onCalendar?: string;
  at?: string;
  user?: string;
  description?: string;
}

interface CreateData {
  name: string;
  unit: string;
  kind: "declarative" | "transient";
  onCalendar: string | null;
  normalized: string | null;
  nextRun: string | null;
  user: string | null;
  command: string;
}

/** --at: "+30min" / "+2h" (relative) or a calendar time ("03:00", "2026-11-22 03:00"). */
const AtSpec = z.string().regex(/^(\+\d{1,6}\s?(s|sec|m|min|h|hr|d|days?|w|weeks?)|[0-9A-Za-z*][A-Za-z0-9 :*,./~+_-]{0,99})$/, 'a time such as "+30min", "03:00" or "2026-11-22 03:00"');

export default defineCommand<CreateInput, CreateData>({
  path: ["timer", "create"],
  summary: "Create a scheduled task: a systemd service + timer (declarative), or a one-off transient timer with --at",
  description:
    "With --on-calendar, nixi declares systemd.services.nixi-NAME and systemd.timers.nixi-NAME in timers.nix (the command is run by bash). " +
    "With --at, nixi starts a one-off transient timer with systemd-run (no rebuild; it does not survive a reboot).",
  risk: "change",
  args: [{ name: "name", description: "timer name (becomes nixi-NAME.timer)", schema: TimerNameArg }],
  flags: {
    command: { type: "string", description: "the command to run (a bash script line)", placeholder: "cmd" },
    "on-calendar": { type: "string", description: 'systemd calendar expression, e.g. "daily" or "Mon..Fri 02:30"', placeholder: "spec", schema: CalendarSpec },
    at: { type: "string", description: 'run once at this time ("+30min", "03:00", "2026-11-22 03:00"), via systemd-run', placeholder: "time", schema: AtSpec },
    user: { type: "string", description: "run as this user (default root)", placeholder: "user", schema: UserName },
    description: { type: "string", description: "one-line description", placeholder: "text" },
  },
  examples: [
    'nixi timer create backup --command "restic backup /srv" --on-calendar "*-*-* 02:30:00"',
    'nixi timer create report --command "/srv/report/run.sh" --on-calendar "Mon..Fri 08:00" --user report',
    'nixi timer create once --command "systemctl restart nginx" --at "+30min"',
  ],
  jsonFields: ["name", "unit", "kind", "onCalendar", "normalized", "nextRun", "user", "command"],
  async mutate(state, input, ctx) {
    const { checkCommand, checkDescription, checkTimerName } = await import("../../system/timers.js");
    const { validateCalendar } = await import("../../system/timer-ops.js");
    const name = checkTimerName(input.name);
    if (input.command === undefined) throw new NixiError("INVALID_ARGUMENT", "--command is required", 'e.g. --command "restic backup /srv"');
    const command = checkCommand(input.command);
    const warnings: string[] = [];
    const { looksLikeSecret } = await import("../../core/redact.js");
    if (looksLikeSecret(command)) {
      const instead = "read it from a root-only file instead, e.g. $(cat /srv/.credentials/NAME)";
      // a declared timer's command is rendered into timers.nix and the Nix store: refused like config set
      if (input.at === undefined) throw new NixiError("INSECURE", "refusing to store the timer command: it looks like it contains a secret (key, token or password), which would land in state.toml and the world-readable Nix store", instead);
      warnings.push(`the command looks like it contains a secret: it is passed on systemd-run's command line; ${instead}`);
    }
    const { tokenUrlWarning } = await import("../../system/webhook.js");
    const urlWarning = tokenUrlWarning(command, input.at !== undefined ? "on systemd-run's command line" : "in state.toml, timers.nix and the Nix store");
    if (urlWarning) warnings.push(urlWarning);
    if (input.description !== undefined) checkDescription(input.description);
    if ((input.onCalendar === undefined) === (input.at === undefined)) {
      throw new NixiError("INVALID_ARGUMENT", "give exactly one of --on-calendar (a recurring timer) or --at (a one-off run)");
    }

    if (input.at !== undefined) {
      // One-off: a transient timer through systemd-run; nothing declarative changes.
      const unit = `nixi-once-${name}`;
      let when: string[];
      let nextRun: string | null = null;
      let normalized: string | null = null;
      const rel = /^\+(\d+)\s?([a-z]+)$/.exec(input.at);
      if (rel) {
        when = [`--on-active=${rel[1]}${rel[2]}`];
      } else {
        const a = await validateCalendar(ctx, input.at, "--at time");
        // Pin the next elapse as an absolute time so the transient timer fires once.
        const abs = a?.nextElapse?.replace(/^[A-Za-z]{3}\s+/, "") ?? input.at;
        when = [`--on-calendar=${abs}`];
        nextRun = a?.nextElapse ?? null;
        normalized = a?.normalized ?? null;
      }
      const argv = [
        "systemd-run",
        `--unit=${unit}`,
        `--description=${input.description ?? `nixi one-off ${name}`}`,
        ...when,
        "--timer-property=AccuracySec=1s",
        "--collect",
        ...(input.user ? [`--uid=${input.user}`] : []),
        "--",
        "/bin/sh",
        "-c",
        command,
      ];
      return {
        summary: [`start one-off timer ${unit} (${input.at})${input.user ? ` as ${input.user}` : ""}: ${command.split("\n")[0]}`],
        commands: [{ argv, privileged: true }],
        warnings,
        data: { name, unit, kind: "transient", onCalendar: null, normalized, nextRun, user: input.user ?? null, command },
      };
    }

    const spec = input.onCalendar!;
    const a = await validateCalendar(ctx, spec);
    const timers = (state.timers ??= {});
    const def = { command, onCalendar: spec, ...(input.user ? { user: input.user } : {}), ...(input.description ? { description: input.description } : {}) };
    const existing = timers[name];
    const data: CreateData = { name, unit: `nixi-${name}`, kind: "declarative", onCalendar: spec, normalized: a?.normalized ?? null, nextRun: a?.nextElapse ?? null, user: input.user ?? null, command };
    if (existing) {
      const canon = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
      if (canon(existing) === canon(def)) return { summary: [], data, warnings };
      throw new NixiError("INVALID_ARGUMENT", `timer ${name} already exists with another definition`, `remove it first: nixi timer remove ${name}`);
    }
    timers[name] = def;
    return { warnings, summary: [`add timer nixi-${name} (${spec}${a?.normalized && a.normalized !== spec ? ` = ${a.normalized}` : ""})${input.user ? ` as ${input.user}` : ""}: ${command.split("\n")[0]}`], data };
  },
  render(d, out) {
    if (d.nextRun) out.line(`next run: ${d.nextRun}`);
  },
});
