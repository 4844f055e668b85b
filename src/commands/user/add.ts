import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { UserName, GroupList, ShellArg, SHELL_NAMES, type ShellName } from "../../users/validate.js";
import { readUsers, writeUsers, type DeclaredUser } from "../../users/state.js";
import { parseKey } from "../../users/sshkeys.js";
import { readPasswd, readGroups } from "../../users/machine.js";

interface Input {
  name: string;
  groups?: string[];
  shell?: ShellName;
  description?: string;
  sshKey?: string[];
  system?: boolean;
}

export default defineCommand<Input>({
  path: ["user", "add"],
  summary: "Declare a user in users.nix (users.users.NAME; no password: set one with `nixi user password`)",
  description:
    "Declares a normal user (isNormalUser; --system: isSystemUser with its own group) with its extra groups, login shell " +
    "(bash, zsh or fish; zsh and fish also get programs.<shell>.enable), description and SSH public keys " +
    "(openssh.authorizedKeys.keys). Passwords are never declared: set them with `nixi user password NAME`.",
  risk: "change",
  args: [{ name: "name", description: "user name", schema: UserName }],
  flags: {
    groups: { type: "string", description: "extra groups, comma-separated (e.g. wheel,networkmanager)", placeholder: "a,b", schema: GroupList },
    shell: { type: "string", description: `login shell (${SHELL_NAMES.join(", ")})`, placeholder: "shell", choices: SHELL_NAMES, schema: ShellArg },
    description: { type: "string", description: "full name or purpose (GECOS field)", placeholder: "text" },
    "ssh-key": { type: "list", description: "SSH public key line, quoted (repeatable)", placeholder: "key" },
    system: { type: "boolean", description: "a system account (isSystemUser, own group, no login shell by default)" },
  },
  examples: [
    "nixi user add alice --groups wheel --shell zsh --ssh-key \"$(cat ~/.ssh/id_ed25519.pub)\"",
    "nixi user add backup --system --description \"backup jobs\"",
  ],
  jsonFields: ["name", "system", "groups", "shell", "description", "sshKeys", "existedOnMachine"],
  async mutate(state, input, ctx) {
    const { name } = input;
    if (name === "root") throw new NixiError("POLICY", "nixi does not declare root", "root is managed by NixOS itself");
    if (input.description !== undefined && /[\x00-\x1f\x7f:]/.test(input.description)) {
      throw new NixiError("INVALID_ARGUMENT", `invalid --description ${JSON.stringify(input.description)}: one line without ':' (it is a field of /etc/passwd)`);
    }
    const keys: string[] = [];
    for (const k of input.sshKey ?? []) {
      const key = parseKey(k, "--ssh-key");
      if (!keys.some((x) => x.split(" ")[1] === key.blob)) keys.push(key.line);
    }
    const want: DeclaredUser = {
      system: !!input.system,
      groups: [...new Set(input.groups ?? [])].sort(),
      ...(input.shell ? { shell: input.shell } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      sshKeys: keys,
    };
    const users = readUsers(state);
    const data = { name, system: want.system, groups: want.groups, shell: want.shell ?? null, description: want.description ?? null, sshKeys: keys.length, existedOnMachine: false };
    if (users[name]) {
      if (JSON.stringify(users[name]) === JSON.stringify(want)) return { summary: [], data };
      throw new NixiError("INVALID_ARGUMENT", `user ${name} is already declared by nixi with other settings`, `change it with \`nixi user groups|shell ${name} ...\` or \`nixi user ssh-key\`, or \`nixi user remove ${name}\` first`);
    }
    const warnings: string[] = [];
    const existing = (await readPasswd(ctx)).find((u) => u.name === name);
    if (existing) {
      data.existedOnMachine = true;
      warnings.push(`${name} already exists on the machine (uid ${existing.uid}); nixi now declares it, keeping its uid, home and password`);
    }
    const known = new Set((await readGroups(ctx)).map((g) => g.name));
    const unknown = want.groups.filter((g) => !known.has(g));
    if (unknown.length && known.size) warnings.push(`group ${unknown.join(", ")} does not exist on the machine now; NixOS creates it only if some module declares it (users.groups)`);
    users[name] = want;
    writeUsers(state, users);
    const parts = [want.system ? "system user" : "normal user"];
    if (want.groups.length) parts.push(`groups ${want.groups.join(", ")}`);
    if (want.shell) parts.push(`shell ${want.shell}`);
    if (keys.length) parts.push(`${keys.length} SSH key${keys.length > 1 ? "s" : ""}`);
    return { summary: [`declare user ${name} (${parts.join(", ")})`], data, warnings };
  },
});
