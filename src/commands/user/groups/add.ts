import { defineCommand } from "../../../core/command.js";
import { UserName, GroupName } from "../../../users/validate.js";
import { readUsers, writeUsers, requireDeclared } from "../../../users/state.js";
import { readGroups } from "../../../users/machine.js";

export default defineCommand<{ name: string; groups: string[] }>({
  path: ["user", "groups", "add"],
  summary: "Add a nixi-declared user to groups (extraGroups)",
  risk: "change",
  args: [
    { name: "name", description: "user name (declared by nixi)", schema: UserName },
    { name: "groups", description: "group names", variadic: true, schema: GroupName },
  ],
  examples: ["nixi user groups add alice wheel docker"],
  jsonFields: ["name", "added", "groups"],
  async mutate(state, { name, groups }, ctx) {
    const users = readUsers(state);
    const u = requireDeclared(users, name);
    const added = [...new Set(groups)].filter((g) => !u.groups.includes(g));
    u.groups = [...u.groups, ...added].sort();
    writeUsers(state, users);
    const warnings: string[] = [];
    const known = new Set((await readGroups(ctx)).map((g) => g.name));
    const unknown = added.filter((g) => !known.has(g));
    if (unknown.length && known.size) warnings.push(`group ${unknown.join(", ")} does not exist on the machine now; NixOS creates it only if some module declares it (users.groups)`);
    return { summary: added.length ? [`add ${name} to ${added.join(", ")}`] : [], data: { name, added, groups: u.groups }, warnings };
  },
});
