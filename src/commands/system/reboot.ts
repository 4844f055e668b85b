import { defineCommand } from "../../core/command.js";
import { z } from "zod";

export default defineCommand<{ when: string }, { when: string }>({
  path: ["system", "reboot"],
  summary: "Reboot the machine (now, or later with --when)",
  risk: "change",
  flags: {
    when: {
      type: "string",
      description: 'when: "now", "+MINUTES" or "HH:MM" (as shutdown(8) takes it)',
      placeholder: "time",
      default: "now",
      schema: z.string().regex(/^(now|\+\d{1,5}|([01]?\d|2[0-3]):[0-5]\d)$/, 'use "now", "+MINUTES" (e.g. +5) or "HH:MM"'),
    },
  },
  examples: ["nixi system reboot --yes", "nixi system reboot --when +10 --yes", "nixi system reboot --when 03:30 --yes"],
  jsonFields: ["when"],
  async plan(ctx, { when }) {
    (await import("../../exec/root-guard.js")).refuseUnderRoot(ctx, ["shutdown", "-r", when]);
    return {
      summary: [when === "now" ? "reboot the machine now" : `schedule a reboot at ${when} (cancel with \`shutdown -c\`)`],
      files: [],
      commands: [`shutdown -r ${when}`],
      rebuild: false,
      data: { when },
    };
  },
  async apply(ctx, { when }) {
    const { changeRun } = await import("../../system/gather.js");
    await changeRun(ctx, ["shutdown", "-r", when], { timeoutMs: 60_000 });
    return { when };
  },
});
