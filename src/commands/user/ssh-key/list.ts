import { defineCommand } from "../../../core/command.js";
import { UserName } from "../../../users/validate.js";
import { requireUser } from "../../../users/machine.js";
import { readAuthorizedKeys } from "../../../users/authorized-keys.js";
import { readUsers } from "../../../users/state.js";
import { loadState } from "../../../nixos/state.js";
import { tryParseKey } from "../../../users/sshkeys.js";

interface Row {
  type: string;
  fingerprint: string;
  comment: string;
  source: "declared" | "file";
  options: string | null;
}

export default defineCommand<{ name: string }, { name: string; file: string; keys: Row[] }>({
  path: ["user", "ssh-key", "list"],
  summary: "SSH keys that can log in as a user: ~/.ssh/authorized_keys and the keys nixi declared",
  risk: "read",
  args: [{ name: "name", description: "user name", schema: UserName }],
  examples: ["nixi user ssh-key list alice", "nixi user ssh-key list alice --json"],
  jsonFields: ["name", "file", "keys"],
  async run(ctx, { name }) {
    // state.toml and /etc/passwd in one round trip; the key file (its path is in /etc/passwd) is the second (issue 11)
    const { prefetchFiles } = await import("../../../exec/prefetch.js");
    ctx = { ...ctx, exec: await prefetchFiles(ctx.exec, [`${ctx.config.nixiDir}/state.toml`, "/etc/passwd"]) };
    const declared = readUsers(await loadState(ctx))[name];
    const u = await requireUser(ctx, name).catch((e) => {
      if (declared) return null; // declared, not created yet (no rebuild since)
      throw e;
    });
    const keys: Row[] = [];
    for (const line of declared?.sshKeys ?? []) {
      const k = tryParseKey(line);
      if (typeof k !== "string") keys.push({ type: k.type, fingerprint: k.fingerprint, comment: k.comment, source: "declared", options: null });
    }
    let file = "";
    if (u) {
      const r = await readAuthorizedKeys(ctx, u);
      file = r.path;
      for (const k of r.keys) keys.push({ type: k.type, fingerprint: k.fingerprint, comment: k.comment, source: "file", options: k.options || null });
    }
    return { name, file, keys };
  },
  render(data, out) {
    if (!data.keys.length) return out.line(`no SSH keys for ${data.name}`);
    out.table(data.keys, [
      { key: "fingerprint", header: "fingerprint" },
      { key: "type", header: "type" },
      { key: "comment", header: "comment" },
      { key: "source", header: "source", format: (v) => (v === "declared" ? "users.nix" : data.file) },
    ]);
  },
});
