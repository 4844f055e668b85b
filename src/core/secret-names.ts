// Does a name (an environment variable, a NixOS option, a settings key) hold a secret as its value?
// One list for every place that refuses or warns about plain-text secrets in user input
// (`config set`, `container deploy --env`, `container analyze`). Redaction (redact.ts) is
// deliberately looser: masking a look-alike costs nothing there, refusing one would.

const SECRET_NAME = /passw(or)?d|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|secret[-_]?key|auth[-_]?key|pre[-_]?shared[-_]?key|\bpsk\b|^psk|psk$|credential|session[-_]?key|client[-_]?secret|(encryption|signing|jwt|hmac|master|license)[-_]?key|(^|[-_])(pass|pwd|pw|key|salt)([-_]|$)/i;
// camelCase short forms: relayPass, adminPwd (not passthru, bypass, passAsFile)
const SECRET_NAME_CAMEL = /[a-z0-9](Pass|Pwd)$/;
// ...unless the name says it holds a reference to the secret rather than the secret.
const REFERENCE_NAME = /(file|files|path|paths|dir|directory|command|cmd|url|authentication|auth|length|hash(ing)?algorithm|enable|required|prompt|policy|method|expire|expiry|lifetime|timeout|user(name)?|id|type|mode)$/i;

export function isSecretName(name: string): boolean {
  return ((SECRET_NAME.test(name) || SECRET_NAME_CAMEL.test(name)) && !REFERENCE_NAME.test(name)) || /^basicAuth$/i.test(name);
}
