// The [users] table of state.toml: one sub-table per nixi-declared user.
//   [users.alice]
//   groups = ["wheel"]        # extraGroups
//   shell = "zsh"             # bash | zsh | fish
//   description = "Alice"
//   ssh_keys = ["ssh-ed25519 AAAA... alice@laptop"]
//   system = true             # isSystemUser + its own group (default: isNormalUser)
// Passwords are never here (nor in any .nix file): `nixi user password` sets them imperatively.
import type { State } from "../nixos/state.js";
import { NixiError } from "../core/errors.js";
import { NAME_RE, SHELLS, type ShellName } from "./validate.js";
import { tryParseKey } from "./sshkeys.js";

export interface DeclaredUser {
  system: boolean;
  groups: string[];
  shell?: ShellName;
  description?: string;
  sshKeys: string[];
}

const bad = (msg: string) => new NixiError("STATE_INVALID", `state.toml [users]: ${msg}`, "fix state.toml by hand");

export function readUsers(state: State): Record<string, DeclaredUser> {
  const t = (state.users ?? {}) as Record<string, any>;
  if (typeof t !== "object" || Array.isArray(t)) throw bad("must be a table");
  const out: Record<string, DeclaredUser> = {};
  for (const [name, v] of Object.entries(t)) {
    // re-checked: a hand-edited state.toml must not smuggle odd names or values into users.nix
    if (!NAME_RE.test(name)) throw bad(`${JSON.stringify(name)} is not a user name`);
    // as `user add root` is refused: root is not a normal user nixi declares
    if (name === "root") throw bad("[users.root]: nixi does not declare root (it would render root as a normal user); remove the table");
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`users.${name} must be a table`);
    const groups = v.groups ?? [];
    if (!Array.isArray(groups) || groups.some((g: unknown) => typeof g !== "string" || !NAME_RE.test(g))) throw bad(`users.${name}.groups must be a list of group names`);
    if (v.shell !== undefined && !(v.shell in SHELLS)) throw bad(`users.${name}.shell ${JSON.stringify(v.shell)} is not one of ${Object.keys(SHELLS).join(", ")}`);
    if (v.description !== undefined && (typeof v.description !== "string" || /[\x00-\x1f\x7f:]/.test(v.description))) throw bad(`users.${name}.description must be one line without ':'`);
    const keys = v.ssh_keys ?? [];
    if (!Array.isArray(keys) || keys.some((k: unknown) => typeof k !== "string" || typeof tryParseKey(k) === "string")) throw bad(`users.${name}.ssh_keys must be a list of SSH public keys`);
    if (v.system !== undefined && typeof v.system !== "boolean") throw bad(`users.${name}.system must be true or false`);
    out[name] = { system: !!v.system, groups: [...groups], ...(v.shell ? { shell: v.shell } : {}), ...(v.description !== undefined ? { description: v.description } : {}), sshKeys: [...keys] };
  }
  return out;
}

export function writeUsers(state: State, users: Record<string, DeclaredUser>): void {
  const t: Record<string, unknown> = {};
  for (const name of Object.keys(users).sort()) {
    const u = users[name];
    t[name] = {
      ...(u.system ? { system: true } : {}),
      ...(u.groups.length ? { groups: [...u.groups].sort() } : {}),
      ...(u.shell ? { shell: u.shell } : {}),
      ...(u.description !== undefined ? { description: u.description } : {}),
      ...(u.sshKeys.length ? { ssh_keys: u.sshKeys } : {}),
    };
  }
  if (Object.keys(t).length) state.users = t;
  else delete state.users;
}

export function requireDeclared(users: Record<string, DeclaredUser>, name: string): DeclaredUser {
  const u = users[name];
  if (!u) throw new NixiError("INVALID_ARGUMENT", `user ${name} is not declared by nixi`, `declare it first with \`nixi user add ${name}\` (see \`nixi user list\`)`);
  return u;
}
