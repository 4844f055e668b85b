// A scripted Ollama-API server on 127.0.0.1 for `nixi ask` tests: /api/tags, /api/show and
// /api/chat (stream: false) as Ollama documents them; each chat request gets the next scripted
// answer and is recorded. Anything it does not know (another path, a streamed request, a chat
// with no answer left) is answered 599 and recorded in `unknown`, so a test fails loudly.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ChatAnswer =
  | { json: unknown; done_reason?: string }
  | { content: string; done_reason?: string }
  | { status: number; error: string }
  | { delayMs: number; json: unknown };

export interface ScriptedOllama {
  url: string;
  /** Parsed bodies of every /api/chat request, in order. */
  chats: any[];
  /** Raw bodies of every request (for "no secret anywhere" checks). */
  bodies: string[];
  unknown: string[];
  answers: ChatAnswer[];
  close(): Promise<void>;
}

export interface ScriptOptions {
  models?: Array<{ name: string; parameterSize: string; contextLength?: number; capabilities?: string[] }>;
}

export async function startScriptedOllama(answers: ChatAnswer[], opts: ScriptOptions = {}): Promise<ScriptedOllama> {
  const models = opts.models ?? [{ name: "qwen3:8b", parameterSize: "8.2B", contextLength: 40960, capabilities: ["completion", "tools", "thinking"] }];
  const s: ScriptedOllama = { url: "", chats: [], bodies: [], unknown: [], answers: [...answers], close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      s.bodies.push(body);
      const send = (status: number, obj: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(obj));
      };
      const bad = (why: string) => {
        s.unknown.push(`${req.method} ${req.url}: ${why}`);
        send(599, { error: `scripted ollama: ${why}` });
      };
      const parsed = body ? JSON.parse(body) : {};
      if (req.method === "GET" && req.url === "/api/tags") {
        return send(200, { models: models.map((m) => ({ name: m.name, model: m.name, size: 1, digest: "0", details: { parameter_size: m.parameterSize } })) });
      }
      if (req.method === "POST" && req.url === "/api/show") {
        const m = models.find((x) => x.name === parsed.model);
        if (!m) return send(404, { error: `model '${parsed.model}' not found` });
        return send(200, { details: { parameter_size: m.parameterSize, family: "qwen3" }, model_info: { "qwen3.context_length": m.contextLength ?? 40960 }, capabilities: m.capabilities ?? ["completion"] });
      }
      if (req.method === "POST" && req.url === "/api/chat") {
        if (parsed.stream !== false) return bad("stream must be false");
        s.chats.push(parsed);
        if (!models.some((x) => x.name === parsed.model)) return send(404, { error: `model "${parsed.model}" not found, try pulling it first` });
        const a = s.answers.shift();
        if (!a) return bad("no scripted answer left");
        const reply = (content: string, done_reason = "stop") =>
          send(200, { model: parsed.model, created_at: new Date().toISOString(), message: { role: "assistant", content }, done: true, done_reason, prompt_eval_count: Math.ceil(body.length / 4), eval_count: 10 });
        if ("status" in a) return send(a.status, { error: a.error });
        if ("delayMs" in a) {
          const t = setTimeout(() => reply(JSON.stringify(a.json)), a.delayMs);
          res.on("close", () => clearTimeout(t));
          return;
        }
        return reply("content" in a ? a.content : JSON.stringify(a.json), a.done_reason);
      }
      bad("unknown endpoint");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}

/** Stage-1 answer: the commands in order. */
export const pick = (...commands: Array<string | [string, true]>) => ({
  json: { outcome: "commands", message: "", steps: commands.map((c) => (Array.isArray(c) ? { command: c[0], context: true } : { command: c, context: false })) },
});
export const clarify = (message: string) => ({ json: { outcome: "clarify", message, steps: [] } });
export const unsupported = (message: string) => ({ json: { outcome: "unsupported", message, steps: [] } });
/** Stage-2 answer: one object per step. */
export const fill = (...steps: unknown[]) => ({ json: Object.fromEntries(steps.map((x, i) => [`s${i + 1}`, x])) });
