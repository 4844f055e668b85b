import { defineCommand } from "../../../core/command.js";
import type { Ctx } from "../../../core/context.js";
import { NixiError } from "../../../core/errors.js";
import { UserName } from "../../../users/validate.js";
import { requireUser } from "../../../users/machine.js";
import { readAuthorizedKeys, writeAuthorizedKeys } from "../../../users/authorized-keys.js";
import { parseKey, looksPrivate } from "../../../users/sshkeys.js";

async function keyText(ctx: Ctx, key: string[] | undefined, keyFile: string | undefined): Promise<{ text: string; source: string }> {
  if (key?.length && keyFile !== undefined) throw new NixiError("INVALID_ARGUMENT", "give the key either as an argument or with --key-file, not both");
  if (keyFile !== undefined) {
    return { text: await ctx.readInputFile("--key-file", keyFile), source: keyFile === "-" ? "stdin" : `--key-file ${keyFile}` };
  }
  if (!key?.length) throw new NixiError("INVALID_ARGUMENT", "no key given", "nixi user ssh-key add NAME \"ssh-ed25519 AAAA... comment\" or --key-file ~/.ssh/id_ed25519.pub");
  return { text: key.join(" "), source: "the key argument" };
}

export default defineCommand<{ name: string; key?: string[]; keyFile?: string }>({
  path: ["user", "ssh-key", "add"],
  summary: "Add an SSH public key to a user's ~/.ssh/authorized_keys (no rebuild)",
  description:
    "Appends the key to ~/.ssh/authorized_keys (folder mode 700, file mode 600, owned by the user). " +
    "sshd on NixOS reads that file besides the keys declared in users.nix. Private keys are refused.",
  risk: "operate",
  args: [
    { name: "name", description: "user name", schema: UserName },
    { name: "key", description: "the public key line (type, base64, comment)", variadic: true, optional: true },
  ],
  flags: { "key-file": { type: "string", description: "read the public key from FILE (- for stdin)", placeholder: "file" } },
  examples: ["nixi user ssh-key add alice --key-file ~/.ssh/id_ed25519.pub", "nixi user ssh-key add alice \"ssh-ed25519 AAAAC3Nza... alice@laptop\""],
  jsonFields: ["name", "file", "fingerprint", "type", "comment", "added"],
  async run(ctx, input) {
    const { text, source } = await keyText(ctx, input.key, input.keyFile);
    if (looksPrivate(text)) throw new NixiError("INVALID_ARGUMENT", `${source}: this is a PRIVATE key; nixi wants the public key (the .pub file)`);
    const lines = text.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
    if (lines.length !== 1) throw new NixiError("INVALID_ARGUMENT", `${source}: expected one public key line, found ${lines.length}`);
    const key = parseKey(lines[0], source);
    const u = await requireUser(ctx, input.name);
    const cur = await readAuthorizedKeys(ctx, u);
    const base = { name: u.name, file: cur.path, fingerprint: key.fingerprint, type: key.type, comment: key.comment };
    if (cur.keys.some((k) => k.blob === key.blob)) return { ...base, added: false };
    const prefix = cur.text && !cur.text.endsWith("\n") ? cur.text + "\n" : cur.text;
    await writeAuthorizedKeys(ctx, u, prefix + key.line + "\n");
    ctx.log(`added ${key.fingerprint} to ${cur.path}`);
    return { ...base, added: true };
  },
  render(d: any, out) {
    out.line(d.added ? `added ${d.fingerprint} (${d.type}${d.comment ? ` ${d.comment}` : ""}) to ${d.file}` : `${d.fingerprint} is already in ${d.file}: nothing to change`);
  },
});
