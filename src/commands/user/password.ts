import { defineCommand } from "../../core/command.js";
import type { Ctx } from "../../core/context.js";
import { NixiError } from "../../core/errors.js";
import { registerSecret } from "../../core/redact.js";
import { UserName } from "../../users/validate.js";
import { requireUser, rootArgs, runTool } from "../../users/machine.js";

async function readPassword(ctx: Ctx, name: string, file?: string): Promise<string | null> {
  let pw: string;
  if (file !== undefined) {
    pw = (await ctx.readInputFile("--password-file", file)).replace(/\r?\n$/, "");
  } else if (ctx.interactive) {
    if (ctx.flags.dryRun) return null; // nothing is set: do not ask
    pw = await ctx.prompter.password(`New password for ${name}:`);
    registerSecret(pw);
    const again = await ctx.prompter.password(`Again:`);
    registerSecret(again);
    if (pw !== again) throw new NixiError("INVALID_ARGUMENT", "the two passwords differ: nothing was changed");
  } else if (!ctx.io.stdinIsTTY) {
    pw = (await ctx.readStdin()).replace(/\r?\n$/, "");
  } else {
    throw new NixiError("INVALID_ARGUMENT", "no password given", "run it interactively (masked prompt), pipe the password on stdin, or use --password-file FILE");
  }
  registerSecret(pw);
  if (pw === "") throw new NixiError("INVALID_ARGUMENT", "the password is empty: nothing was changed", "to forbid password logins use `nixi user lock NAME`");
  if (/[\n\r\0]/.test(pw)) throw new NixiError("INVALID_ARGUMENT", "the password holds a line break or NUL byte: nothing was changed");
  return pw;
}

export default defineCommand<{ name: string; passwordFile?: string }>({
  path: ["user", "password"],
  summary: "Set a user's password (masked prompt twice, or stdin); never stored in Nix",
  description:
    "Runs chpasswd with NAME:PASSWORD on its stdin (never on a command line), so the machine hashes it with its own " +
    "method. Needs users.mutableUsers = true (the NixOS default) to survive rebuilds.",
  risk: "operate",
  args: [{ name: "name", description: "user name", schema: UserName }],
  flags: { "password-file": { type: "string", description: "read the password from FILE's first line (- for stdin)", placeholder: "file", hiddenFromAsk: true } },
  examples: ["nixi user password alice", "printf '%s\\n' \"$PW\" | nixi user password alice"],
  jsonFields: ["name", "passwordSet"],
  async run(ctx, { name, passwordFile }) {
    const pw = await readPassword(ctx, name, passwordFile);
    await requireUser(ctx, name);
    if (pw === null) return { name, passwordSet: false };
    const { weakPasswordFinding } = await import("../../security/findings/users.js");
    const { gateFindings } = await import("../../core/findings.js");
    const weak = weakPasswordFinding(name, pw);
    await gateFindings(ctx, weak ? [weak] : []);
    await runTool(ctx, ["chpasswd", ...rootArgs(ctx)], { input: `${name}:${pw}\n` });
    return { name, passwordSet: true };
  },
  render(d: any, out) {
    out.line(d.passwordSet ? `password of ${d.name} set` : `would set the password of ${d.name}`);
  },
});
