// POST a JSON document to a webhook (system health). The URL itself is never printed: it often holds a token.

export async function postWebhook(url: string, body: unknown, timeoutMs = 10_000): Promise<{ sent: boolean; status: number | null; error: string | null }> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "nixi" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { sent: true, status: res.status, error: null } : { sent: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e: any) {
    return { sent: false, status: null, error: describeFetchError(e, timeoutMs) };
  }
}

// A URL "holds a token" when it has user info, a secret-named query parameter, or a long random
// path segment (hooks.slack.com/services/T/B/XXXX, discord.com/api/webhooks/ID/TOKEN, ...).
const URL_RE = /\b(?:https?|wss?):\/\/[^\s'"<>]+/gi;
const TOKEN_PARAM = /[?&](?:[a-z_]*token|key|api[_-]?key|sig|signature|secret|auth|code|password|pass)=/i;

export function urlHoldsToken(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return true; // not even a URL: be careful
  }
  if (u.username || u.password) return true;
  if (TOKEN_PARAM.test(u.search)) return true;
  return u.pathname.split("/").some((seg) => seg.length >= 16 && /[0-9]/.test(seg) && /[A-Za-z]/.test(seg)) || /\/(hooks|webhooks?)\//i.test(u.pathname + "/") && u.pathname.split("/").filter(Boolean).length >= 2;
}

/** A warning (never naming the URL) when a command line holds a URL that looks like it carries a token. */
export function tokenUrlWarning(command: string, where: string): string | null {
  const urls = command.match(URL_RE) ?? [];
  const webhookFlag = /--webhook(?:=|\s+)(?!-)\S/.test(command);
  if (!webhookFlag && !urls.some(urlHoldsToken)) return null;
  return `the command holds a URL that looks like it carries a token, ${where} (visible to other users in ps, or in the Nix store): ` +
    (webhookFlag ? "use `nixi system health --webhook-file FILE` or `webhook` under [health] in config.toml instead of --webhook URL" : "read the URL from a root-only file instead, e.g. $(cat /srv/.credentials/NAME)");
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (DNS)",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
};

/** What went wrong, in words: fetch throws a bare `TypeError: fetch failed` and keeps the reason in
 *  `cause` (a code, or an Error for redirects, TLS and bad URLs). Never includes the URL. */
export function describeFetchError(e: any, timeoutMs: number): string {
  if (e?.name === "TimeoutError" || e?.cause?.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  const cause = e?.cause;
  const code: string | undefined = cause?.code ?? e?.code;
  if (code && NET_ERRORS[code]) return `${NET_ERRORS[code]} (${code})`;
  if (code && /^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return `TLS error: ${code}`;
  const msg: string = cause?.message ?? e?.message ?? String(e);
  if (/redirect/i.test(msg)) return "the server answered with a redirect (not followed)";
  if (/invalid url|failed to parse url/i.test(msg)) return "not a valid URL";
  return code ? `${code}: ${msg}`.slice(0, 200) : msg.slice(0, 200);
}
