// Does a name (an environment variable, a NixOS option, a settings key) hold a secret as its value?
// One list for every place that refuses or warns about plain-text secrets in user input
// (`config set`, `container deploy --env`, `container analyze`, state.toml rendering). Redaction
// (redact.ts) is deliberately looser: masking a look-alike costs nothing there, refusing one would.

const SECRET_NAME = /passw(or)?d|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|secret[-_]?key|auth[-_]?key|pre[-_]?shared[-_]?key|\bpsk\b|^psk|psk$|credential|session[-_]?key|client[-_]?secret|(encryption|signing|jwt|hmac|master|license)[-_]?key|(^|[-_])(pass|pwd|pw|key|salt)([-_]|$)/i;
// camelCase short forms: relayPass, adminPwd (not passthru, bypass, passAsFile)
const SECRET_NAME_CAMEL = /[a-z0-9](Pass|Pwd)$/;
// ...unless the name says it holds a reference to the secret rather than the secret.
const REFERENCE_NAME = /(file|files|path|paths|dir|directory|command|cmd|url|authentication|auth|length|hash(ing)?algorithm|enable|required|prompt|policy|method|expire|expiry|lifetime|timeout|user(name)?|id|type|mode)$/i;

/** Names known to contain "pass", "key" or "token" without holding a secret (compared case-insensitively). */
export const KNOWN_NOT_SECRET = new Set(
  [
    // nginx / proxies: the upstream to pass requests to
    "proxyPass", "proxy_pass", "proxyPassReverse", "uwsgiPass", "uwsgi_pass", "fastcgiPass", "fastcgi_pass", "grpcPass", "grpc_pass",
    "scgiPass", "scgi_pass", "memcachedPass", "memcached_pass", "proxyPassHeader", "proxy_pass_header", "proxyPassRequestHeaders",
    "proxy_pass_request_headers", "proxyPassRequestBody", "proxy_pass_request_body", "recommendedProxySettings",
    // Nix and packaging
    "passthru", "passAsFile", "passthrough", "passThrough", "pass_through", "allowPassthrough",
    // words that merely contain "pass"
    "bypass", "compass", "passive", "passenger", "multipass", "passes", "passEnv", "pass_env", "passHostHeader", "pass_host_header",
    "passCredentials", "PassEnv", "SetEnvPass",
    // "key"/"token" that are not the secret itself
    "keyMap", "keyboard", "keys", "publicKey", "public_key", "publicKeys", "hostKeys", "authorizedKeys", "keyFiles", "keyType",
    "maxTokens", "max_tokens", "tokenizer", "tokenEndpoint", "token_endpoint",
  ].map((n) => n.toLowerCase()),
);
// nginx-style upstream directives in any spelling: proxy_pass, xyzProxyPass
const UPSTREAM_PASS = /(proxy|uwsgi|fastcgi|grpc|scgi|memcached)[-_]?pass([-_]?(reverse|header|request[-_]?(headers|body)))?$/i;

export function isSecretName(name: string): boolean {
  if (KNOWN_NOT_SECRET.has(name.toLowerCase()) || UPSTREAM_PASS.test(name)) return false;
  return ((SECRET_NAME.test(name) || SECRET_NAME_CAMEL.test(name)) && !REFERENCE_NAME.test(name)) || /^basicAuth$/i.test(name);
}
