import { defineCommand } from "../../core/command.js";
import { UserName } from "../../users/validate.js";
import { requireUser, readShadowLocks, rootArgs, runTool } from "../../users/machine.js";

export default defineCommand<{ name: string }>({
  path: ["user", "unlock"],
  summary: "Unlock a user's password (the password works again)",
  risk: "operate",
  args: [{ name: "name", description: "user name", schema: UserName }],
  examples: ["nixi user unlock alice"],
  jsonFields: ["name", "locked", "changed"],
  async run(ctx, { name }) {
    // unlocking root is allowed
    await requireUser(ctx, name);
    const before = (await readShadowLocks(ctx))?.get(name);
    if (before === false) return { name, locked: false, changed: false };
    await runTool(ctx, ["passwd", ...rootArgs(ctx), "-u", name]);
    return { name, locked: false, changed: true };
  },
  render(d: any, out) {
    out.line(d.changed ? `${d.name} is now ${d.locked ? "locked" : "unlocked"}` : `${d.name} is already ${d.locked ? "locked" : "unlocked"}: nothing to change`);
  },
});
