// Redaction applied to every line nixi prints or sends to a model.
// Errs on the side of hiding: a false positive costs a "***", a miss leaks a secret.
import { NIX_VALUE_START, scanExpr } from "./redact-expr.js";
import { KNOWN_NOT_SECRET } from "./secret-names.js";

const MASK = "***";

const PEM = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END \1PRIVATE KEY\2-----|$)/g;
// PuTTY .ppk: everything after the header line is key material or its MAC
const PUTTY = /(PuTTY-User-Key-File-\d+:)[^\n]*[\s\S]*?(Private-MAC:[^\n]*|$)/g;
const AUTH_HEADER = /\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(bearer|basic|token|digest|negotiate)?\s*[^\s"',;]+/gi;
// key=value / key: value / "key": "value" where the key names a secret
// (psk: networking.wireless.networks.<ssid>.psk/pskRaw; _pw, jwt_key, encryptionKey...: as `config set` refuses them)
const SECRET_WORDS = String.raw`(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key|client[_-]?secret|session[_-]?key|pwd|psk|[_-]pw(?![A-Za-z])|(?:encryption|signing|jwt|hmac|master)[_-]?key|authorization)`;
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*${SECRET_WORDS}[A-Za-z0-9_.-]*`;
const SECRET_KEY_NAME = new RegExp(`^${SECRET_KEY}$`, "i");
// Every SECRET_WORDS alternative contains one of these; a name that matches is all ASCII, so its
// lower case is exact. A name with none of them cannot match (tested against the regex alone).
export const SECRET_KEY_HINTS = ["pass", "secret", "token", "key", "credential", "pw", "psk", "authorization"];
/** The regex alone, for the test that the hints are a safe prefilter. */
export const isSecretKeyNameRaw = (name: string): boolean => SECRET_KEY_NAME.test(name);
// values: "..." | Nix ''indented string'' (may span lines) | '...' | [a, list] | a bare word
// | a YAML block scalar (| or > and its indented lines) | a one-level {object}
const VALUE = String.raw`([|>][-+]?[ \t]*\n(?:[ \t]+[^\n]*(?:\n|$))+|"(?:[^"\\]|\\.)*"|''(?:[^']|'(?!'))*''|'[^']*'|\[[^\]\n]*\]|\{[^{}\n]*\}|[^\s,;&}]+)`;
const ASSIGNMENT = new RegExp(String.raw`(["']?)(${SECRET_KEY})\1(\s*[:=]\s*)${VALUE}`, "gi");
// a quoted key with spaces or other characters: "pass word" = ..., 'Api Key': ...
const QUOTED_ASSIGNMENT = new RegExp(String.raw`(["'])([^"'\n]{1,100})\1(\s*[:=]\s*)${VALUE}`, "gi");
// Nix attribute paths: a.b."c d".password = <expression>;
const NIX_KEY = /(?<![A-Za-z0-9_'".-])((?:[A-Za-z0-9_'-]+|"[^"\n]{0,200}")(?:\.(?:[A-Za-z0-9_'-]+|"[^"\n]{0,200}"))*)([ \t]*=(?!=)[ \t]*)/g;
// scheme://user:password@ (user may be empty) and scheme://TOKEN@ for web URLs or token-looking user parts
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;
const URL_TOKEN_USER = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:/@]+)@/gi;
const SQL_PASSWORD = /\b((?:password|identified\s+by)\s+)('[^'\n]*'|"[^"\n]*")/gi;
const NETRC = /\b(login\s+\S+\s+(?:password|passwd)\s+)(\S+)/gi;
// command lines: --password X, --db-token=X, -p? (no: too common)
const FLAG = /(?<![A-Za-z0-9])(--?[A-Za-z0-9_-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|auth[_-]?key|credentials?)(?![A-Za-z0-9_-]*(?:file|path|dir)\b)[A-Za-z0-9_-]*)(=|\s+)(?!-)("[^"]*"|'[^']*'|\S+)/gi;
// nixi's own flags that take a NAME of a secret, not a secret
const NAME_FLAGS = /^--?(env-secret|remove-secret|match-token|no-ask-password|secret-env)$/i;
// Well-known token shapes, each with the literal text it cannot match without (an expression is
// compiled on first use: ~50 us each, most of a short command's redaction when run on every string)
const TOKENS: Array<[RegExp, string[]]> = [
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, ["gh"]], // GitHub
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, ["github_pat_"]],
  [/\bxox[abeprs]-[A-Za-z0-9-]{10,}\b/g, ["xox"]], // Slack
  [/\bxapp-[A-Za-z0-9-]{10,}\b/g, ["xapp-"]], // Slack app-level
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, ["AKIA", "ASIA"]], // AWS access key id
  [/\bsk-[A-Za-z0-9_-]{20,}\b/g, ["sk-"]], // OpenAI-style
  [/\b[rsp]k_(?:live|test)_[A-Za-z0-9]{10,}\b/g, ["k_live_", "k_test_"]], // Stripe-style sk_live_/rk_test_/pk_live_
  [/\bwhsec_[A-Za-z0-9]{10,}\b/g, ["whsec_"]], // webhook signing secrets
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, ["eyJ"]], // JWT
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, ["glpat-"]], // GitLab
  [/\bnpm_[A-Za-z0-9]{30,}\b/g, ["npm_"]], // npm
  [/\bhf_[A-Za-z0-9]{30,}\b/g, ["hf_"]], // Hugging Face
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, ["AIza"]], // Google API key
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g, ["SG."]], // SendGrid
  [/\bAGE-SECRET-KEY-1[0-9A-Z]{20,}\b/g, ["AGE-SECRET-KEY-1"]], // age identity
  [/\btskey-[A-Za-z0-9-]{16,}\b/g, ["tskey-"]], // Tailscale auth key
];

/** Exact values known to be secret during this run (a value just read from a prompt, a credentials file nixi read back). */
const knownSecrets = new Set<string>();
let knownSorted: string[] | null = null;

/** Any non-empty value: 4+ characters are masked wherever they appear, 3 where they stand alone, 1-2 as the value of KEY=V. */
export function registerSecret(value: string): void {
  if (typeof value !== "string" || value === "" || value.startsWith("\0") || /^\*+$/.test(value)) return;
  knownSecrets.add(value);
  const trimmed = value.trim();
  if (trimmed !== value && trimmed !== "") knownSecrets.add(trimmed);
  knownSorted = null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function maskKnown(text: string): string {
  knownSorted ??= [...knownSecrets].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of knownSorted) {
    if (s.length >= 4) out = out.split(s).join(MASK);
    else if (s.length === 3) out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRe(s)}(?![A-Za-z0-9])`, "g"), MASK);
    // one or two characters ("1", "on") would garble every message: only as the value of KEY=V / KEY: V
    else out = out.replace(new RegExp(`(?<=[A-Za-z0-9_]=|[A-Za-z0-9_]: )${escapeRe(s)}(?![A-Za-z0-9])`, "g"), MASK);
  }
  return out;
}

// a value that names where the secret is (credentials=/srv/.credentials/x.cred), not the secret
const SECRET_REFERENCE = /^["']?\/(srv\/\.credentials|run\/secrets|run\/agenix|run\/credentials)\//;
const isReference = (key: string) => /(file|path|files|paths|dir)$/i.test(key);
const lastSegment = (path: string) => (path.match(/(?:"([^"]*)"|([^."]+))$/) ?? [])[1] ?? (path.match(/([^."]+)$/) ?? [])[1] ?? path;
/** Does this key (possibly quoted, possibly with spaces) name a secret value? */
export function isRedactedKey(key: string): boolean {
  let v = keyVerdicts.get(key);
  if (v === undefined) {
    const name = key.replace(/[\s"']/g, "");
    // most keys name no secret: the cheap tests first
    const lower = name.toLowerCase();
    v = SECRET_KEY_HINTS.some((h) => lower.includes(h)) && SECRET_KEY_NAME.test(name) && !(KNOWN_NOT_SECRET.has(lower) || isReference(name));
    if (keyVerdicts.size > 4096) keyVerdicts.clear();
    keyVerdicts.set(key, v);
  }
  return v;
}
// --json output asks about the same few keys once per row
const keyVerdicts = new Map<string, boolean>();

/** `secret = <expression>;` in Nix: mask the whole expression, keep line breaks (and a diff's +/- column). */
function maskNixValues(text: string): string {
  let out = "";
  let last = 0;
  NIX_KEY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NIX_KEY.exec(text))) {
    const key = lastSegment(m[1]);
    const start = m.index + m[0].length;
    if (!isRedactedKey(key) || start < last) continue;
    const end = scanExpr(text, start, ";");
    if (end <= start) continue;
    const value = text.slice(start, end);
    if (!NIX_VALUE_START.test(value) && value.includes("\n")) continue;
    if (/^\*+$|^"\*+"$|^(true|false|null)$/.test(value.trim())) continue;
    const lines = value.split("\n");
    const kept = lines.slice(1).map((l) => (/^[+\- ]?\s*/.exec(l) ?? [""])[0]);
    // a plain string literal keeps its quotes ("***", ''***'') so the text still reads as Nix
    const literal = /^"(?:[^"\\$]|\\.|\$(?!\{))*"\s*$/.test(value) ? '"' : /^''(?:[^'$]|'(?!')|\$(?!\{))*''\s*$/.test(value) ? "''" : "";
    out += text.slice(last, start) + [literal + MASK + (kept.length ? "" : literal), ...kept.map((k, i) => (i === kept.length - 1 ? k + literal : k))].join("\n");
    last = end;
    NIX_KEY.lastIndex = end;
  }
  return out + text.slice(last);
}

const WEB_SCHEME = /^(https?|wss?|ftps?|git\+https?)$/i;

export function redact(text: string): string {
  return redactShapes(maskKnown(text));
}

/** Does this text hold something shaped like a secret (a key, a token, a password assignment, URL credentials)? */
export const looksLikeSecret = (text: string): boolean => redactShapes(text) !== text;

// Every shape rule needs one of these characters, "login" (NETRC), or 20+ characters (the
// AKIA... key id): text without them (a port, a unit name, a word) skips the ~30 expressions —
// --json output runs every string through here. test/core/redact.test.ts checks the claim.
const SHAPE_CHARS = /[-:=_.'"@/\\]|login/i;
export const mayHaveShape = (text: string): boolean => text.length >= 20 || SHAPE_CHARS.test(text);

/** The shape rules only (not the values registered during this run). */
export function redactShapes(text: string): string {
  return mayHaveShape(text) ? applyShapeRules(text) : text;
}

/** Every shape rule; `gated` skips a rule when the text lacks the literal it needs (the test
 *  compares both ways). */
export function applyShapeRules(text: string, gated = true): string {
  let out = text;
  const lower = gated ? text.toLowerCase() : "";
  const has = (...parts: string[]) => !gated || parts.some((p) => text.includes(p));
  const hasLower = (...parts: string[]) => !gated || parts.some((p) => lower.includes(p));
  if (has("PRIVATE KEY")) out = out.replace(PEM, (_m, kind, block = "") => `-----BEGIN ${kind}PRIVATE KEY${block}-----${MASK}-----END ${kind}PRIVATE KEY${block}-----`);
  if (has("PuTTY-User-Key-File-")) out = out.replace(PUTTY, (_m, head) => `${head} ${MASK}`);
  if (hasLower("authorization")) out = out.replace(AUTH_HEADER, (_m, name, sep, scheme) => `${name}${sep}${scheme ? scheme + " " : ""}${MASK}`);
  if (has("://")) {
    out = out.replace(URL_CREDENTIALS, (_m, prefix) => `${prefix}:${MASK}@`);
    out = out.replace(URL_TOKEN_USER, (m, scheme, user: string) =>
      user !== MASK && (WEB_SCHEME.test(scheme) || (user.length >= 20 && /\d/.test(user) && /[A-Za-z]/.test(user))) ? `${scheme}://${MASK}@` : m,
    );
  }
  if (has("=")) out = maskNixValues(out);
  const assign = (m: string, q: string, key: string, sep: string, value: string, offset: number, whole: string) => {
    // Paths to secret files are references, not secrets ("passwordFile = /srv/.credentials/x").
    if (!isRedactedKey(key) || value === MASK || /^["']?\*+["']?$|^(true|false|null)$/.test(value) || SECRET_REFERENCE.test(value)) return m;
    // A boolean or a Nix/JSON number is not a secret (PasswordAuthentication = false;); a bare
    // number elsewhere (PASSWORD=123456 in an env file) still is.
    if (/^-?\d+(?:\.\d+)?$/.test(value) && (q !== "" || whole[offset + m.length] === ";")) return m;
    const quote = value.startsWith('"') ? '"' : value.startsWith("''") && value.length >= 4 ? "''" : value.startsWith("'") ? "'" : "";
    if (/^[|>]/.test(value)) return `${q}${key}${q}${sep}${MASK}${value.endsWith("\n") ? "\n" : ""}`;
    return `${q}${key}${q}${sep}${quote}${MASK}${quote}`;
  };
  if (has(":", "=")) {
    if (has('"', "'")) out = out.replace(QUOTED_ASSIGNMENT, assign);
    out = out.replace(ASSIGNMENT, assign);
  }
  if (hasLower("password", "identified")) out = out.replace(SQL_PASSWORD, (_m, head) => `${head}'${MASK}'`);
  if (hasLower("login")) out = out.replace(NETRC, (_m, head) => `${head}${MASK}`);
  if (has("-") && hasLower("pass", "secret", "token", "api", "auth", "credential")) {
    out = out.replace(FLAG, (m, flag, sep, value) => (NAME_FLAGS.test(flag) || value === MASK || /^["']?\*+["']?$/.test(value) ? m : `${flag}${sep}${MASK}`));
  }
  for (const [re, literals] of TOKENS) if (has(...literals)) out = out.replace(re, MASK);
  return out;
}

const SECRET_FLAG_WORD = /^--?[A-Za-z0-9_-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|auth[_-]?key|credentials?)[A-Za-z0-9_-]*$/i;

/** Deep-redacts strings inside a JSON-able value (for --json output). */
export function redactValue<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) {
    // an argv list: the word after --password is its value
    return value.map((v, i) => {
      const prev = value[i - 1];
      if (typeof v === "string" && typeof prev === "string" && SECRET_FLAG_WORD.test(prev) && !NAME_FLAGS.test(prev) && !/(file|path|dir)$/i.test(prev) && !v.startsWith("-")) return MASK;
      return redactValue(v);
    }) as T;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isRedactedKey(k) && typeof v === "string" && v !== "" ? MASK : redactValue(v);
    }
    return out as T;
  }
  return value;
}
