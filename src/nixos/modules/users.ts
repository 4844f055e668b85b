// users.nix: users.users.<name> for the users nixi declares (no passwords: those stay imperative,
// which users.mutableUsers = true, the NixOS default, keeps across rebuilds).
import type { Area } from "../areas.js";
import { pkgRef, type NixValue } from "../render.js";
import { readUsers } from "../../users/state.js";
import { SHELLS } from "../../users/validate.js";

export const usersArea: Area = {
  key: "users",
  file: "users.nix",
  render(_section, state) {
    const users = readUsers(state);
    const names = Object.keys(users).sort();
    if (!names.length) return null;
    const uu: Record<string, NixValue> = {};
    const groups: Record<string, NixValue> = {};
    const programs: Record<string, NixValue> = {};
    for (const name of names) {
      const u = users[name];
      const o: Record<string, NixValue> = u.system ? { isSystemUser: true, group: name } : { isNormalUser: true };
      if (u.system) groups[name] = {};
      if (u.groups.length) o.extraGroups = [...u.groups].sort();
      if (u.description !== undefined) o.description = u.description;
      if (u.shell) {
        const sh = SHELLS[u.shell];
        o.shell = pkgRef(sh.pkg);
        if (sh.program) programs[sh.program] = { enable: true };
      }
      if (u.sshKeys.length) o.openssh = { authorizedKeys: { keys: u.sshKeys } };
      uu[name] = o;
    }
    const body: Record<string, NixValue> = { users: { users: uu, ...(Object.keys(groups).length ? { groups } : {}) } };
    if (Object.keys(programs).length) body.programs = programs;
    return body;
  },
};
