import { defineCommand } from "../../../core/command.js";
import { UserName, GroupName } from "../../../users/validate.js";
import { readUsers, writeUsers, requireDeclared } from "../../../users/state.js";

export default defineCommand<{ name: string; groups: string[] }>({
  path: ["user", "groups", "remove"],
  summary: "Remove a nixi-declared user from groups (extraGroups)",
  risk: "change",
  args: [
    { name: "name", description: "user name (declared by nixi)", schema: UserName },
    { name: "groups", description: "group names", variadic: true, schema: GroupName },
  ],
  examples: ["nixi user groups remove alice docker"],
  jsonFields: ["name", "removed", "groups"],
  mutate(state, { name, groups }) {
    const users = readUsers(state);
    const u = requireDeclared(users, name);
    const removed = [...new Set(groups)].filter((g) => u.groups.includes(g));
    const notIn = [...new Set(groups)].filter((g) => !u.groups.includes(g));
    u.groups = u.groups.filter((g) => !removed.includes(g));
    writeUsers(state, users);
    return {
      summary: removed.length ? [`remove ${name} from ${removed.join(", ")}`] : [],
      data: { name, removed, groups: u.groups },
      warnings: notIn.length ? [`${name} is not in ${notIn.join(", ")} (as declared by nixi)`] : [],
    };
  },
});
