// SSH public keys: parsing (type, base64 blob whose inner type matches), fingerprints as
// `ssh-keygen -lf` prints them (SHA256:<base64 without padding>), authorized_keys lines.
import { nodeCrypto } from "../core/builtins.js";
import { NixiError } from "../core/errors.js";

export const KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];

export interface PublicKey {
  type: string;
  /** base64 blob as given */
  blob: string;
  comment: string;
  fingerprint: string;
  /** The canonical line: "type blob[ comment]". */
  line: string;
}

const PRIVATE_RE = /PRIVATE KEY|^-----BEGIN|PuTTY-User-Key-File/m;

export function looksPrivate(text: string): boolean {
  return PRIVATE_RE.test(text);
}

export function fingerprintOf(blob: Buffer): string {
  return "SHA256:" + nodeCrypto().createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/** Why `text` is not a public key line, or the key. Never includes the text in its message. */
export function tryParseKey(text: string): PublicKey | string {
  if (looksPrivate(text)) return "this is a PRIVATE key: give the public key (the .pub file, one line starting with ssh-ed25519, ssh-rsa, ecdsa-sha2-... or sk-...)";
  const s = text.trim();
  if (/[\r\n\0]/.test(s)) return "an SSH public key is one line";
  const parts = s.split(/[ \t]+/);
  const [type, b64, ...rest] = parts;
  if (!KEY_TYPES.includes(type)) {
    const shown = /^[A-Za-z0-9@._-]{1,40}$/.test(type ?? "") ? `key type "${type}"` : "the key type";
    return `${shown} is not one nixi accepts (${KEY_TYPES.join(", ")})`;
  }
  if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return `the ${type} key's data is not base64`;
  const blob = Buffer.from(b64, "base64");
  if (blob.length < 4) return `the ${type} key's data is too short`;
  const n = blob.readUInt32BE(0);
  if (n > 64 || 4 + n > blob.length) return `the ${type} key's data does not start with a key type`;
  const inner = blob.subarray(4, 4 + n).toString("latin1");
  if (inner !== type) return `the key says ${type} but its data holds a ${/^[\x20-\x7e]*$/.test(inner) ? inner : "different"} key`;
  if (blob.length < 4 + n + 16) return `the ${type} key's data is too short`;
  const comment = rest.join(" ");
  if (/[\x00-\x1f\x7f]/.test(comment)) return "the key's comment holds control characters";
  return { type, blob: b64, comment, fingerprint: fingerprintOf(blob), line: comment ? `${type} ${b64} ${comment}` : `${type} ${b64}` };
}

export function parseKey(text: string, source: string): PublicKey {
  const r = tryParseKey(text);
  if (typeof r === "string") throw new NixiError("INVALID_ARGUMENT", `${source}: ${r}`);
  return r;
}

export interface AuthorizedKey extends PublicKey {
  /** Options before the key type (from="...",command="..."), as written. */
  options: string;
  /** 1-based line number in the file. */
  lineNo: number;
}

/** Keys of an authorized_keys file (lines with options are understood; unparsable lines are skipped). */
export function parseAuthorizedKeys(text: string): AuthorizedKey[] {
  const out: AuthorizedKey[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    let k = tryParseKey(line);
    let options = "";
    if (typeof k === "string") {
      // options: a comma list that may hold quoted strings with spaces, then the key
      const m = /^((?:[^\s"]|"(?:[^"\\]|\\.)*")+)\s+(.*)$/.exec(line);
      if (!m) return;
      k = tryParseKey(m[2]);
      options = m[1];
      if (typeof k === "string") return;
    }
    out.push({ ...k, options, lineNo: i + 1 });
  });
  return out;
}
