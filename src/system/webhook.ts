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
    const cause = e?.cause?.code ?? e?.name ?? "error";
    return { sent: false, status: null, error: cause === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : String(cause) };
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
