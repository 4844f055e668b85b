// Grammar tier: real grammar-constrained decoding. node-llama-cpp (test-tools/llama, installed by
// .ci/run with the linux-x64 CPU binary only) serves the Ollama chat API with a tiny random GGUF
// model this test writes; nixi's actual schemas go through its JSON-schema grammar, and every
// output must parse and validate against nixi's own schema (ajv) and reach a clear outcome in ask.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { REPO, run } from "../helpers/run.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { SOURCE_CATALOG } from "../../src/commands/registry.js";
import { askableCommands, stepSchema } from "../../src/ask/schema.js";

const TOOL = join(REPO, "test-tools/llama/node_modules/node-llama-cpp/dist/index.js");
const installed = existsSync(TOOL);
if (!installed && process.env.CI) throw new Error("CI=1: the grammar tier needs test-tools/llama (npm ci --omit=optional there; .ci/run does it)");

describe.skipIf(!installed)("grammar tier (node-llama-cpp, random GGUF model)", () => {
  let work: string;
  let llama: any;
  let model: any;
  let server: Server;
  let url = "";
  const outputs: Array<{ schema: unknown; text: string }> = [];

  let inflight: Promise<unknown> = Promise.resolve();
  function generate(schema: object, prompt: string): Promise<string> {
    const p = generateNow(schema, prompt);
    inflight = p.catch(() => {});
    return p;
  }
  async function generateNow(schema: object, prompt: string): Promise<string> {
    const lib = await import(pathToFileURL(TOOL).href);
    const grammar = await llama.createGrammarForJsonSchema(schema);
    const context = await model.createContext({ contextSize: 4096 });
    try {
      const completion = new lib.LlamaCompletion({ contextSequence: context.getSequence() });
      const text = await completion.generateCompletion(prompt.slice(-2000), { grammar, maxTokens: 3500, temperature: 0 });
      outputs.push({ schema, text });
      if (process.env.NIXI_GRAMMAR_LOG) process.stderr.write(`grammar: ${Buffer.byteLength(JSON.stringify(schema))}-byte schema -> ${text.length} chars: ${text.slice(0, 160)}\n`);
      return text;
    } finally {
      await context.dispose();
    }
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), `nixi-ask-grammar-${process.pid}-`));
    const modelPath = join(work, "random.gguf");
    writeTinyGguf(modelPath);
    const lib = await import(pathToFileURL(TOOL).href);
    llama = await lib.getLlama({ build: "never", gpu: false, logLevel: lib.LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath });
    // the Ollama chat API, served from node-llama-cpp
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", async () => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/api/tags") return res.end(JSON.stringify({ models: [{ name: "random:tiny", model: "random:tiny" }] }));
        if (req.url === "/api/show") return res.end(JSON.stringify({ details: { parameter_size: "8B" }, model_info: { "llama.context_length": 8192 }, capabilities: ["completion"] }));
        if (req.url !== "/api/chat") return (res.statusCode = 599), res.end("{}");
        const r = JSON.parse(body);
        const text = await generate(r.format, r.messages.map((m: any) => `${m.role}: ${m.content}`).join("\n") + "\nassistant: ");
        res.end(JSON.stringify({ model: r.model, message: { role: "assistant", content: text }, done: true, done_reason: "stop" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    server?.close();
    await inflight; // a generation still running must finish before the model is disposed
    await model?.dispose();
    await llama?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ajv = new Ajv2020({ strict: false });

  it("stage 1 and a sample of stage-2 schemas: every output parses and validates", async () => {
    const metas = askableCommands(SOURCE_CATALOG.metas);
    // a few of nixi's schemas (the ask test below sends the others it needs): a random model is slow to finish long strings
    const sample = ["fw open", "service restart"].map((p) => metas.find((m) => m.path.join(" ") === p)!);
    const schemas = sample.map((m) => stepSchema(m, ["web-server", "mon"]));
    for (const schema of schemas) {
      const text = await generate(schema, "user: open port 8080 on web-server\nassistant: ");
      const parsed = JSON.parse(text);
      expect(ajv.validate(schema, parsed), `${ajv.errorsText()}\n${text}`).toBe(true);
    }
  }, 600_000);

  it("nixi ask against it ends in a clear outcome (a validated proposal, or exit 2), never a crash", async () => {
    const cfg = join(work, "config.toml");
    writeFileSync(cfg, `[ask]\nhost = "${url}"\nmodel = "random:tiny"\ntimeout = 600\n`);
    const r = await run(["ask", "--print", "--json", "open port 8080"], { env: { NIXI_CONFIG: cfg } });
    if (process.env.NIXI_GRAMMAR_LOG) process.stderr.write(`grammar: ask exit ${r.exitCode}: ${(r.json?.data?.steps ?? []).map((x: any) => x.line).join("; ") || r.json?.error?.message}\n`);
    expect([0, 2], r.stdout + r.stderr).toContain(r.exitCode);
    expect(r.stdout + r.stderr).not.toMatch(/internal error|not valid JSON/);
    for (const o of outputs) expect(ajv.validate(o.schema as object, JSON.parse(o.text)), o.text).toBe(true);
  }, 1_300_000);
});
