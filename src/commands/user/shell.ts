import { defineCommand } from "../../core/command.js";
import { UserName, ShellArg, SHELL_NAMES, type ShellName } from "../../users/validate.js";
import { readUsers, writeUsers, requireDeclared } from "../../users/state.js";

export default defineCommand<{ name: string; shell: ShellName }>({
  path: ["user", "shell"],
  summary: "Set the login shell of a nixi-declared user (bash, zsh or fish)",
  risk: "change",
  args: [
    { name: "name", description: "user name (declared by nixi)", schema: UserName },
    { name: "shell", description: SHELL_NAMES.join(", "), schema: ShellArg },
  ],
  examples: ["nixi user shell alice zsh"],
  jsonFields: ["name", "shell", "previous"],
  mutate(state, { name, shell }) {
    const users = readUsers(state);
    const u = requireDeclared(users, name);
    const previous = u.shell ?? null;
    u.shell = shell;
    writeUsers(state, users);
    return { summary: previous === shell ? [] : [`login shell of ${name}: ${shell}`], data: { name, shell, previous } };
  },
});
