import { defineCommand } from "../../core/command.js";
import { UserName } from "../../users/validate.js";
import { requireUser, readShadowLocks, refuseRoot, rootArgs, runTool } from "../../users/machine.js";

export default defineCommand<{ name: string }>({
  path: ["user", "lock"],
  summary: "Lock a user's password (password logins are refused (the hash gets a ! prefix); SSH keys still work)",
  risk: "operate",
  args: [{ name: "name", description: "user name", schema: UserName }],
  examples: ["nixi user lock alice"],
  jsonFields: ["name", "locked", "changed"],
  async run(ctx, { name }) {
    refuseRoot(name, "lock");
    await requireUser(ctx, name);
    const before = (await readShadowLocks(ctx))?.get(name);
    if (before === true) return { name, locked: true, changed: false };
    const { checkUserLockout } = await import("../../nixos/lockout.js");
    await checkUserLockout(ctx, name, "lock");
    await runTool(ctx, ["passwd", ...rootArgs(ctx), "-l", name]);
    return { name, locked: true, changed: true };
  },
  render(d: any, out) {
    out.line(d.changed ? `${d.name} is now ${d.locked ? "locked" : "unlocked"}` : `${d.name} is already ${d.locked ? "locked" : "unlocked"}: nothing to change`);
  },
});
