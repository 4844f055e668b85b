// nixi's own known_hosts file, in OpenSSH format (so `ssh -o UserKnownHostsFile=...` can share it):
//   host keytype base64         (port 22)
//   [host]:port keytype base64  (other ports)
// Hashed entries (|1|salt|hash) written by ssh-keygen -H are understood too.
import { nodeCrypto } from "../core/builtins.js";
import { appendFile, mkdir } from "node:fs/promises";
import { readLocalText, writeLocalText } from "../core/local-files.js";
import { dirname } from "node:path";

export interface HostKey {
  type: string;
  /** base64 of the public key blob, as in known_hosts. */
  key: string;
}

export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type named inside an SSH public key blob (string length + name). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1");
}

/** OpenSSH's wildcard patterns (sshd_config(5) PATTERNS): `*` any run, `?` one character, case-insensitive. */
function globMatches(glob: string, name: string): boolean {
  const re = new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "i");
  return re.test(name);
}

/** Does a known_hosts patterns field name host:port's pattern? Exact names and hashed entries,
 *  and, as OpenSSH does, `*`/`?` wildcards with `!negation` (a matching negation wins) unless
 *  `exactOnly` (removing a host never removes a wildcard line). */
function patternMatches(field: string, pattern: string, exactOnly = false): boolean {
  let matched = false;
  for (const p of field.split(",")) {
    if (p.startsWith("|1|")) {
      const [, , salt, hash] = p.split("|");
      if (!salt || !hash) continue;
      const h = nodeCrypto().createHmac("sha1", Buffer.from(salt, "base64")).update(pattern).digest("base64");
      if (h === hash) matched = true;
    } else if (p.startsWith("!")) {
      if (!exactOnly && globMatches(p.slice(1), pattern)) return false;
    } else if (p.toLowerCase() === pattern.toLowerCase()) matched = true;
    else if (!exactOnly && /[*?]/.test(p) && globMatches(p, pattern)) matched = true;
  }
  return matched;
}

interface Line {
  text: string;
  patterns?: string;
  type?: string;
  key?: string;
  marker?: string;
}

function parseLines(text: string): Line[] {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.map((t) => {
    const s = t.trim();
    if (s === "" || s.startsWith("#")) return { text: t };
    const f = s.split(/\s+/);
    if (f[0].startsWith("@")) return { text: t, marker: f[0], patterns: f[1], type: f[2], key: f[3] };
    return { text: t, patterns: f[0], type: f[1], key: f[2] };
  });
}

const readText = async (path: string) => (await readLocalText(path)) ?? "";

/** Known keys for host:port (empty when the host was never seen). @revoked keys are returned separately. */
export async function lookupHost(path: string, host: string, port: number): Promise<{ keys: HostKey[]; revoked: HostKey[] }> {
  const pattern = hostPattern(host, port);
  const keys: HostKey[] = [];
  const revoked: HostKey[] = [];
  for (const l of parseLines(await readText(path))) {
    if (!l.patterns || !l.type || !l.key) continue;
    if (l.marker === "@revoked") {
      if (patternMatches(l.patterns, pattern)) revoked.push({ type: l.type, key: l.key });
      continue;
    }
    if (l.marker) continue; // @cert-authority: nixi does not use host certificates
    if (patternMatches(l.patterns, pattern)) keys.push({ type: l.type, key: l.key });
  }
  return { keys, revoked };
}

/** Append a key for host:port (first contact). Creates the folder (700) and the file (600). */
export async function addHostKey(path: string, host: string, port: number, key: HostKey): Promise<void> {
  // One line per key: the type comes from the server's key blob and must not add lines (an
  // `@cert-authority *` line would vouch for every host).
  if (!/^[A-Za-z0-9@._+-]{1,64}$/.test(key.type) || !/^[A-Za-z0-9+/=]+$/.test(key.key) || /[\s,#]/.test(host) || host === "") {
    throw new Error(`refusing to record a malformed host key entry for ${JSON.stringify(host)}`);
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const existing = await readText(path);
  const sep = existing !== "" && !existing.endsWith("\n") ? "\n" : "";
  await appendFile(path, `${sep}${hostPattern(host, port)} ${key.type} ${key.key}\n`, { mode: 0o600 });
}

/** Remove every entry for host:port (other hosts' lines stay byte for byte). Returns how many keys went. */
export async function removeHost(path: string, host: string, port: number): Promise<number> {
  const text = await readText(path);
  if (text === "") return 0;
  const pattern = hostPattern(host, port);
  let removed = 0;
  const out: string[] = [];
  for (const l of parseLines(text)) {
    if (!l.patterns || l.marker || !patternMatches(l.patterns, pattern, true)) {
      out.push(l.text);
      continue;
    }
    const others = l.patterns.split(",").filter((p) => !patternMatches(p, pattern, true));
    removed++;
    if (others.length) out.push(l.text.replace(l.patterns, others.join(",")));
  }
  if (removed === 0) return 0;
  await writeLocalText(path, out.length ? out.join("\n") + "\n" : "");
  return removed;
}
