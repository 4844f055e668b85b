// SMB credentials: never on argv or in Nix. Read from --credentials-file FILE (cifs format:
// username=/password=/domain= lines; "-" = stdin), from stdin when it is not a terminal (the
// password alone), or from a masked prompt; written to /srv/.credentials/mount-<slug>.cred
// (mode 600, root only) and passed to mount as -o credentials=FILE.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { registerSecret } from "../core/redact.js";

export interface SmbCredentials {
  username?: string;
  password: string;
  domain?: string;
}

const bad = (m: string, hint?: string) => new NixiError("INVALID_ARGUMENT", m, hint);

export function parseCredentialsFile(text: string, source: string): SmbCredentials {
  const out: Partial<SmbCredentials> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*(#|$)/.test(line)) return;
    const eq = line.indexOf("=");
    const key = eq < 0 ? "" : line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1);
    if (key === "username" || key === "user") out.username = value.trim();
    else if (key === "password" || key === "pass") out.password = value;
    else if (key === "domain" || key === "dom" || key === "workgroup") out.domain = value.trim();
    else throw bad(`${source}:${i + 1}: expected username=, password= or domain= (a cifs credentials file)`);
  });
  if (out.password !== undefined) registerSecret(out.password);
  if (!out.password) throw bad(`${source} has no password= line`);
  return out as SmbCredentials;
}

function checkField(name: string, v: string | undefined): void {
  if (v === undefined) return;
  if (v === "" || /[\n\r\0]/.test(v)) throw bad(`the SMB ${name} is empty or contains a line break or NUL byte`);
}

export function renderCredentials(c: SmbCredentials): string {
  for (const [k, v] of Object.entries(c)) checkField(k, v);
  return (c.username ? `username=${c.username}\n` : "") + `password=${c.password}\n` + (c.domain ? `domain=${c.domain}\n` : "");
}

/**
 * The credentials for an SMB mount, or null for a guest mount. `username`/`domain` come from
 * --options (they are not secret) unless the file names them. Under --dry-run with a terminal nothing is asked.
 */
export async function readSmbCredentials(ctx: Ctx, share: string, file: string | undefined, username: string | undefined, domain: string | undefined, guest: boolean): Promise<SmbCredentials | null> {
  let creds: SmbCredentials | null = null;
  if (file !== undefined) {
    creds = parseCredentialsFile(await ctx.readInputFile("--credentials-file", file), file === "-" ? "stdin" : file);
  } else if (guest) {
    return null;
  } else if (!ctx.io.stdinIsTTY) {
    const pw = (await ctx.readStdin()).replace(/\r?\n$/, "");
    if (pw !== "") creds = { password: pw };
    else if (ctx.flags.dryRun) creds = { password: "(dry run: not read)" };
    else throw bad(`${share} needs a password: none was given on stdin`, "pipe the password on stdin, use --credentials-file FILE, or --options guest");
  } else if (ctx.flags.dryRun) {
    creds = { password: "(dry run: not read)" };
  } else if (ctx.interactive) {
    creds = { password: await ctx.prompter.password(`Password for ${share}${username ? ` (user ${username})` : ""} (hidden)`) };
  } else {
    throw bad(`${share} needs a password and prompts are off (--no-input)`, "pipe the password on stdin or use --credentials-file FILE");
  }
  registerSecret(creds.password);
  if (creds.password === "") throw bad(`the password for ${share} is empty`, "use --options guest for a share without a password");
  return { ...creds, username: creds.username ?? username, domain: creds.domain ?? domain };
}
