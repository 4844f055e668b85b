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
