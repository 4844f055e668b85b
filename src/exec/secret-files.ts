// Every secret file nixi reads back (container credentials /srv/.credentials/<name>.env, SMB
// credentials mount-*.cred, any other file in that folder) has its values registered with the
// redactor as it is read, whatever the key is called and however short the value: a rebuild that
// prints the file, a log line or an error message then shows *** instead.
import { registerSecret } from "../core/redact.js";

export const SECRET_DIR = "/srv/.credentials";

/** Not secret in a cifs credentials file; every other value is. */
const PUBLIC_KEYS = /^(username|user|domain|dom|workgroup)$/i;

export function isSecretFile(path: string): boolean {
  return path.startsWith(SECRET_DIR + "/");
}

/** Register each value of KEY=VALUE lines (quoted or not) and each line without '=' of a secret file. */
export function registerSecretFile(path: string, text: string | null): void {
  if (text === null || !isSecretFile(path)) return;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*export\s+/, "");
    if (/^\s*(#|$)/.test(line)) continue;
    const eq = line.indexOf("=");
    if (eq < 0) {
      registerSecret(line.trim());
      continue;
    }
    if (PUBLIC_KEYS.test(line.slice(0, eq).trim())) continue;
    const value = line.slice(eq + 1);
    registerSecret(value);
    if (value.length >= 2 && /^(["']).*\1$/.test(value)) registerSecret(value.slice(1, -1));
  }
}

interface Reader {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<string | null>;
}

/** Before showing build output: read (and so register) every file under /srv/.credentials. Errors are ignored. */
export async function registerStoredSecrets(exec: Reader): Promise<void> {
  const names = await exec.readdir(SECRET_DIR).catch(() => [] as string[]);
  for (const n of names.slice(0, 1000)) {
    if (!/^[A-Za-z0-9._-]+$/.test(n) || n.startsWith(".")) continue;
    const path = `${SECRET_DIR}/${n}`;
    registerSecretFile(path, await exec.readFile(path).catch(() => null));
  }
}
