// Redaction applied to every line nixi prints or sends to a model.
// Errs on the side of hiding: a false positive costs a "***", a miss leaks a secret.

const MASK = "***";

const PEM = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;
const AUTH_HEADER = /\b(authorization|proxy-authorization)(\s*[:=]\s*)(bearer|basic|token|digest)?\s*[^\s"',;]+/gi;
// key=value / key: value / "key": "value" where the key names a secret
// (psk: networking.wireless.networks.<ssid>.psk/pskRaw; _pw, jwt_key, encryptionKey...: as `config set` refuses them)
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key|client[_-]?secret|session[_-]?key|pwd|psk|[_-]pw(?![A-Za-z])|(?:encryption|signing|jwt|hmac|master)[_-]?key)[A-Za-z0-9_.-]*`;
const SECRET_KEY_NAME = new RegExp(`^${SECRET_KEY}$`, "i");
// values: "..." | Nix ''indented string'' (may span lines) | '...' | a bare word
const ASSIGNMENT = new RegExp(String.raw`(["']?)(${SECRET_KEY})\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|''(?:[^']|'(?!'))*''|'[^']*'|[^\s,;&}]+)`, "gi");
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@/]+)@/gi;
// Well-known token shapes
const TOKENS = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bsk-[A-Za-z0-9_-]{20,}\b/g, // OpenAI-style
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, // JWT
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
];

/** Exact values known to be secret during this run (e.g. a value just read from a prompt). */
const knownSecrets = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= 4) knownSecrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of knownSecrets) out = out.split(s).join(MASK);
  out = out.replace(PEM, (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY-----${MASK}-----END ${kind}PRIVATE KEY-----`);
  out = out.replace(AUTH_HEADER, (_m, name, sep, scheme) => `${name}${sep}${scheme ? scheme + " " : ""}${MASK}`);
  out = out.replace(URL_CREDENTIALS, (_m, prefix) => `${prefix}:${MASK}@`);
  out = out.replace(ASSIGNMENT, (m, q, key, sep, value: string, offset: number, whole: string) => {
    // Paths to secret files are references, not secrets ("passwordFile = /srv/.credentials/x").
    if (/file$|path$|_file$|files$/i.test(key) || value === MASK || /^["']?\*+["']?$/.test(value)) return m;
    // A boolean or a Nix/JSON number is not a secret (PasswordAuthentication = false;); a bare
    // number elsewhere (PASSWORD=123456 in an env file) still is.
    if (/^(?:true|false|null)$/.test(value)) return m;
    if (/^-?\d+(?:\.\d+)?$/.test(value) && (q !== "" || whole[offset + m.length] === ";")) return m;
    const quote = value.startsWith('"') ? '"' : value.startsWith("''") && value.length >= 4 ? "''" : value.startsWith("'") ? "'" : "";
    return `${q}${key}${q}${sep}${quote}${MASK}${quote}`;
  });
  for (const re of TOKENS) out = out.replace(re, MASK);
  return out;
}

/** Deep-redacts strings inside a JSON-able value (for --json output). */
export function redactValue<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactValue) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY_NAME.test(k) && typeof v === "string" && !/file$|path$/i.test(k) && v !== "" ? MASK : redactValue(v);
    }
    return out as T;
  }
  return value;
}
