// Measures the size of what `nixi ask` sends to Ollama for a typical request: runs the built
// bin/nixi against a minimal Ollama-API server on 127.0.0.1 that answers a fixed proposal and
// records each /api/chat body. Usage: npm run build && node bench/ask-request-size.mjs
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const answers = [
  { outcome: "commands", message: "", steps: [{ command: "fw open", context: false }, { command: "container deploy", context: false }] },
  { s1: { nodes: ["web-server"], args: { ports: ["8080"] }, flags: { interface: "" } }, s2: { nodes: ["web-server"], args: { name: "nginx" }, flags: { image: "nginx:1.27", port: ["8080:80"], env: [], "env-secret": [], volume: [], cmd: "", "depends-on": [], "restart-policy": "", "open-firewall": false, public: false, backend: "" } } },
];
const bodies = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/api/tags") return res.end(JSON.stringify({ models: [{ name: "qwen3:8b", model: "qwen3:8b" }] }));
    if (req.url === "/api/show") return res.end(JSON.stringify({ details: { parameter_size: "8.2B" }, model_info: { "qwen3.context_length": 40960 }, capabilities: ["completion"] }));
    if (req.url === "/api/chat") {
      bodies.push(body);
      return res.end(JSON.stringify({ message: { role: "assistant", content: JSON.stringify(answers.shift()) }, done: true, done_reason: "stop" }));
    }
    res.statusCode = 599;
    res.end("{}");
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const dir = mkdtempSync(join(tmpdir(), "nixi-ask-size-"));
const cfg = join(dir, "config.toml");
writeFileSync(cfg, `[ask]\nhost = "http://127.0.0.1:${server.address().port}"\n\n[[nodes]]\nname = "web-server"\nhost = "192.0.2.10"\n\n[[nodes]]\nname = "mon"\nhost = "192.0.2.11"\nmode = "monitored"\n`);
const bin = new URL("../bin/nixi", import.meta.url).pathname;
const request = "open port 8080 and deploy nginx 1.27 on web-server";
const child = await new Promise((resolve) => {
  const c = spawn(process.execPath, [bin, "ask", "--print", request], { env: { ...process.env, NIXI_CONFIG: cfg } });
  let out = "";
  c.stdout.on("data", (d) => (out += d));
  c.on("close", (code) => resolve({ code, out }));
});
server.close();
rmSync(dir, { recursive: true, force: true });
console.log(`request: ${JSON.stringify(request)} -> ${child.out.trim().replace(/\n/g, " / ")} (exit ${child.code})`);
bodies.forEach((b, i) => {
  const bytes = Buffer.byteLength(b);
  const j = JSON.parse(b);
  const schema = Buffer.byteLength(JSON.stringify(j.format));
  console.log(`stage ${i + 1}: ${bytes} bytes (schema ${schema} bytes), about ${Math.ceil(bytes / 3.5)} tokens at 3.5 bytes/token; num_ctx ${j.options.num_ctx}, num_predict ${j.options.num_predict}`);
});
