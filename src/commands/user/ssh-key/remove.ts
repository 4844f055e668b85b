import { defineCommand } from "../../../core/command.js";
import { NixiError } from "../../../core/errors.js";
import { UserName } from "../../../users/validate.js";
import { requireUser } from "../../../users/machine.js";
import { readAuthorizedKeys, writeAuthorizedKeys } from "../../../users/authorized-keys.js";
import { readUsers } from "../../../users/state.js";
import { loadState } from "../../../nixos/state.js";
import { tryParseKey } from "../../../users/sshkeys.js";

const matches = (sel: string) => (k: { fingerprint: string; comment: string }) =>
  k.fingerprint === sel || k.fingerprint === `SHA256:${sel}` || (k.comment !== "" && k.comment === sel);

export default defineCommand<{ name: string; key: string }>({
  path: ["user", "ssh-key", "remove"],
  summary: "Remove an SSH key (by fingerprint or comment) from a user's ~/.ssh/authorized_keys (no rebuild)",
  risk: "operate",
  args: [
    { name: "name", description: "user name", schema: UserName },
    { name: "key", description: "SHA256:... fingerprint (see `nixi user ssh-key list`) or the key's comment" },
  ],
  examples: ["nixi user ssh-key remove alice SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", "nixi user ssh-key remove alice alice@old-laptop"],
  jsonFields: ["name", "file", "removed"],
  async run(ctx, { name, key: sel }) {
    const u = await requireUser(ctx, name);
    const cur = await readAuthorizedKeys(ctx, u);
    const hit = cur.keys.filter(matches(sel));
    const shown = /^[\x20-\x7e]{1,100}$/.test(sel) ? JSON.stringify(sel) : "the given key";
    if (!hit.length) {
      const declared = (readUsers(await loadState(ctx))[name]?.sshKeys ?? []).map(tryParseKey).filter((k) => typeof k !== "string") as any[];
      if (declared.some(matches(sel))) {
        throw new NixiError("INVALID_ARGUMENT", `${shown} is declared in users.nix, not in ${cur.path}`, `delete it from ssh_keys under [users.${name}] in state.toml, then run \`nixi system rebuild\``);
      }
      throw new NixiError("NOT_FOUND", `no key ${shown} in ${cur.path}`, `see \`nixi user ssh-key list ${name}\``);
    }
    const fps = new Set(hit.map((k) => k.fingerprint));
    if (fps.size > 1) throw new NixiError("INVALID_ARGUMENT", `${shown} matches ${fps.size} different keys (${[...fps].join(", ")})`, "give the fingerprint");
    const drop = new Set(hit.map((k) => k.lineNo));
    const next = cur.text.split("\n").filter((_l, i) => !drop.has(i + 1)).join("\n");
    const { checkUserLockout } = await import("../../../nixos/lockout.js");
    await checkUserLockout(ctx, name, "remove-key", cur.keys.length - hit.length);
    await writeAuthorizedKeys(ctx, u, next);
    return { name, file: cur.path, removed: hit.map((k) => ({ fingerprint: k.fingerprint, type: k.type, comment: k.comment })) };
  },
  render(d: any, out) {
    for (const k of d.removed) out.line(`removed ${k.fingerprint} (${k.type}${k.comment ? ` ${k.comment}` : ""}) from ${d.file}`);
  },
});
