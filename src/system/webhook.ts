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
