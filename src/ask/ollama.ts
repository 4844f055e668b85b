// Talking to Ollama through the `ollama` package (loaded only here, only by `nixi ask`):
// /api/tags and /api/show as a preflight, /api/chat with a JSON-schema `format`, temperature 0,
// explicit num_ctx / num_predict, no tools. Every request has a deadline: the client's abort()
// only cancels streamed requests, so its fetch is wrapped with AbortSignal.timeout.
import { namedExports } from "../core/lazy-import.js";
import { NixiError } from "../core/errors.js";
import { redact } from "../core/redact.js";
import type { JsonSchema } from "./schema.js";

export interface AskSettings {
  host: string;
  model: string;
  numCtx: number;
  timeoutSeconds: number;
  keepAlive: string;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatResult {
  content: string;
  /** Size of the request body in bytes, and Ollama's own prompt token count when it reports one. */
  requestBytes: number;
  promptTokens?: number;
  ms: number;
}

export interface ModelInfo {
  parameterSize?: string;
  /** Billions of parameters, when Ollama says. */
  billions?: number;
  contextLength?: number;
  capabilities: string[];
}

/** A rough token count for a JSON request (English text and JSON run about 3.5-4 bytes a token). */
export const estimateTokens = (bytes: number) => Math.ceil(bytes / 3.5);

const startHint = (host: string) => `start Ollama (\`ollama serve\`, or \`systemctl start ollama\` on NixOS with services.ollama.enable = true), or point nixi at it: [ask] host in config.toml, --host or OLLAMA_HOST (tried ${host})`;

function transportError(e: any, s: AskSettings): NixiError | null {
  const name = e?.name ?? "";
  if (name === "TimeoutError" || name === "AbortError" || e?.cause?.name === "TimeoutError") {
    return new NixiError("UNREACHABLE", `Ollama at ${s.host} did not answer within ${s.timeoutSeconds}s`, "a large model can take long to load the first time: raise [ask] timeout in config.toml, or check `ollama ps`");
  }
  const cause = e?.cause?.code ?? e?.code;
  if (e instanceof TypeError || cause) {
    return new NixiError("UNREACHABLE", `cannot reach Ollama at ${s.host}${cause ? ` (${cause})` : `: ${e.message}`}`, startHint(s.host));
  }
  return null;
}

export class OllamaClient {
  private client: any;
  /** Whether the `think` field is sent (dropped after "does not support thinking"). */
  private sendThink = true;

  private constructor(
    readonly settings: AskSettings,
    client: any,
  ) {
    this.client = client;
  }

  static async create(settings: AskSettings): Promise<OllamaClient> {
    const { Ollama } = await namedExports(import("ollama"));
    const ms = settings.timeoutSeconds * 1000;
    const timedFetch: typeof fetch = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
    return new OllamaClient(settings, new Ollama({ host: settings.host, fetch: timedFetch }));
  }

  private async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (e: any) {
      const t = transportError(e, this.settings);
      if (t) throw t;
      if (e?.name === "ResponseError" && e.status_code === 404) throw this.missingModel();
      if (e?.name === "ResponseError") throw new NixiError("FAILED", `Ollama at ${this.settings.host} answered ${e.status_code}: ${e.error ?? e.message}`);
      if (e instanceof SyntaxError) throw new NixiError("FAILED", `Ollama at ${this.settings.host} sent an answer that is not JSON: is it an Ollama server?`);
      throw e;
    }
  }

  private missingModel(): NixiError {
    const m = this.settings.model;
    return new NixiError("UNREACHABLE", `model ${m} is not on the Ollama server at ${this.settings.host}`, `download it with \`ollama pull ${m}\`, or choose another with [ask] model in config.toml or --model`);
  }

  /** /api/tags (is the model there?) then /api/show (size, context length, capabilities). */
  async preflight(): Promise<ModelInfo> {
    const tags: any = await this.call(() => this.client.list());
    const want = this.settings.model;
    const names = (tags?.models ?? []).flatMap((m: any) => [m.name, m.model]).filter(Boolean) as string[];
    const norm = (n: string) => (n.includes(":") ? n : `${n}:latest`);
    if (!names.some((n) => norm(n) === norm(want))) throw this.missingModel();
    const show: any = await this.call(() => this.client.show({ model: want }));
    const info = show?.model_info ?? {};
    const ctxKey = Object.keys(info).find((k) => k.endsWith(".context_length"));
    const parameterSize: string | undefined = show?.details?.parameter_size;
    const m = parameterSize ? /^([\d.]+)\s*([BMK])/i.exec(parameterSize) : null;
    const billions = m ? Number(m[1]) / (m[2].toUpperCase() === "B" ? 1 : m[2].toUpperCase() === "M" ? 1000 : 1e6) : undefined;
    return { parameterSize, billions, contextLength: ctxKey ? Number(info[ctxKey]) : undefined, capabilities: Array.isArray(show?.capabilities) ? show.capabilities : [] };
  }

  /** One non-streamed, schema-constrained chat turn. Every message is redacted before it leaves. */
  async chat(messages: ChatMessage[], format: JsonSchema, numPredict: number): Promise<ChatResult> {
    const s = this.settings;
    const request: Record<string, unknown> = {
      model: s.model,
      messages: messages.map((m) => ({ role: m.role, content: redact(m.content) })),
      stream: false,
      format,
      keep_alive: s.keepAlive,
      options: { temperature: 0, num_ctx: s.numCtx, num_predict: numPredict },
    };
    if (this.sendThink) request.think = false;
    const bytes = Buffer.byteLength(JSON.stringify(request));
    // Ollama silently drops the front of a prompt that does not fit (and keeps about num_ctx/2)
    if (estimateTokens(bytes) + numPredict > s.numCtx) {
      throw new NixiError("FAILED", `the request to the model is about ${estimateTokens(bytes)} tokens, too large for num_ctx ${s.numCtx}`, "raise [ask] num_ctx in config.toml, or ask for fewer things at once");
    }
    const t0 = Date.now();
    let res: any;
    try {
      res = await this.call(() => this.client.chat(request));
    } catch (e) {
      if (this.sendThink && e instanceof NixiError && /does not support thinking|think/i.test(e.message)) {
        this.sendThink = false;
        return this.chat(messages, format, numPredict);
      }
      throw e;
    }
    if (res?.done_reason === "length") {
      throw new NixiError("FAILED", `the model's answer was cut off at ${numPredict} tokens (done_reason: length)`, `raise [ask] num_ctx, use a larger model, or split the request`);
    }
    const content = res?.message?.content;
    if (typeof content !== "string") throw new NixiError("FAILED", `Ollama at ${s.host} sent a chat answer without message.content`);
    return { content, requestBytes: bytes, promptTokens: typeof res.prompt_eval_count === "number" ? res.prompt_eval_count : undefined, ms: Date.now() - t0 };
  }
}
