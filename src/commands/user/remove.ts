import { defineCommand } from "../../core/command.js";
import { UserName } from "../../users/validate.js";
import { readUsers, writeUsers, requireDeclared } from "../../users/state.js";
import { refuseRoot } from "../../users/machine.js";

export default defineCommand<{ name: string }>({
  path: ["user", "remove"],
  summary: "Remove a user nixi declared from users.nix (the home folder is kept)",
  description:
    "Drops users.users.NAME from users.nix. On the rebuild NixOS deletes the account it had declared " +
    "(its home folder and files stay on disk). Users nixi did not declare are refused.",
  risk: "change",
  args: [{ name: "name", description: "user name", schema: UserName }],
  examples: ["nixi user remove alice"],
  jsonFields: ["name", "removed"],
  mutate(state, { name }) {
    refuseRoot(name, "remove");
    const users = readUsers(state);
    requireDeclared(users, name);
    delete users[name];
    writeUsers(state, users);
    return { summary: [`remove user ${name} (its home folder is kept)`], data: { name, removed: true } };
  },
});
