// nixi ask through the CLI entry, with the real `ollama` client talking to a scripted
// Ollama-API server on 127.0.0.1 that records every request.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { startScriptedOllama, pick, fill, clarify, unsupported, type ChatAnswer, type ScriptedOllama, type ScriptOptions } from "../helpers/ollama-server.js";
import type { Prompter } from "../../src/core/context.js";

const work = mkdtempSync(join(tmpdir(), `nixi-ask-${process.pid}-`));
afterAll(() => {
  cleanupRoots();
  rmSync(work, { recursive: true, force: true });
});
let servers: ScriptedOllama[] = [];
afterEach(async () => {
  for (const s of servers) expect(s.unknown).toEqual([]);
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

let n = 0;
function config(host: string, extra = ""): string {
  const p = join(work, `config-${n++}.toml`);
  writeFileSync(p, `[ask]\nhost = "${host}"\nmodel = "qwen3:8b"\n${extra.includes("timeout") ? "" : "timeout = 5\n"}${extra}\n[[nodes]]\nname = "web-server"\nhost = "127.0.0.1"\n\n[[nodes]]\nname = "mon"\nhost = "127.0.0.1"\nmode = "monitored"\n`);
  return p;
}

async function server(answers: ChatAnswer[], opts?: ScriptOptions) {
  const s = await startScriptedOllama(answers, opts);
  servers.push(s);
  return s;
}

const ask = (s: { url: string } | string, args: string[], opts: { tty?: boolean; prompter?: Prompter; extra?: string; stdin?: string } = {}) =>
  run(["ask", ...args], { env: { NIXI_CONFIG: config(typeof s === "string" ? s : s.url, opts.extra) }, tty: opts.tty, prompter: opts.prompter, stdin: opts.stdin });

const fwOpen = (ports: string[], nodes: string[] = []) => ({ nodes, args: { ports }, flags: { interface: "" } });

describe("nixi ask: proposing", () => {
  it("--print shows shell-quoted lines with --node, and every request is a bounded, schema-constrained chat", async () => {
    const s = await server([pick("fw open", "container deploy"), fill(fwOpen(["8080"], ["web-server"]), {
      nodes: ["web-server"],
      args: { name: "web" },
      flags: { image: "nginx:1.27", port: ["8080:80"], env: ["GREETING=hello world"], "env-secret": [], volume: [], cmd: "", "depends-on": [], "restart-policy": "", "open-firewall": false, public: false, backend: "" },
    })]);
    const r = await ask(s, ["--print", "open port 8080 and deploy nginx 1.27 on web-server"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("nixi fw open 8080 --node web-server\nnixi container deploy web --image nginx:1.27 --port 8080:80 --env 'GREETING=hello world' --node web-server\n");
    expect(s.chats).toHaveLength(2);
    for (const c of s.chats) {
      expect(c.format).toMatchObject({ type: "object", additionalProperties: false });
      expect(c.options).toMatchObject({ temperature: 0, num_ctx: 16384 });
      expect(c.options.num_predict).toBeGreaterThan(0);
      expect(c).not.toHaveProperty("tools");
      expect(c.think).toBe(false);
      expect(c.stream).toBe(false);
      // the request fits num_ctx/2 (what Ollama effectively keeps) with room to spare
      expect(Buffer.byteLength(JSON.stringify(c)) / 3.5).toBeLessThan(16384 / 2);
      const schemaText = JSON.stringify(c.format);
      for (const k of ['"yes"', '"dry-run"', '"root"', '"config"', '"force"', '"insecure"', '"purge"', '"no-input"', '"env-file"', '"password-file"', '"credentials-file"', '"key-file"']) expect(schemaText).not.toContain(k);
    }
    // stage 2 sees only the chosen commands' schemas
    expect(Object.keys(s.chats[1].format.properties)).toEqual(["s1", "s2"]);
    expect(s.chats[1].format.properties.s2.properties.flags.properties.image).toEqual({ type: "string", maxLength: 200 });
  });

  it("--json is the proposal as an envelope: argv, line, risk, node, rounds, request size", async () => {
    const s = await server([pick("fw open"), fill(fwOpen(["8080", "53/udp"], ["web-server"]))]);
    const r = await ask(s, ["--json", "open 8080 and 53/udp on web-server"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d.steps).toEqual([{ command: "fw open", line: "nixi fw open 8080 53/udp --node web-server", argv: ["fw", "open", "8080", "53/udp", "--node=web-server"], risk: "change", nodes: ["web-server"], context: false }]);
    expect(d.ran).toBe(false);
    expect(d.requestSize.bytes).toBeGreaterThan(1000);
    expect(d.requestSize.tokensEstimate).toBe(Math.ceil(d.requestSize.bytes / 3.5));
  });

  it("a clarifying question or 'not supported' is printed and exits 2 without running anything", async () => {
    const s = await server([clarify("Which node: web-server or mon?")]);
    const r = await ask(s, ["open port 8080 on the server"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Which node: web-server or mon?");
    const s2 = await server([unsupported("nixi does not send e-mail")]);
    const j = await ask(s2, ["--json", "send an e-mail to bob"]);
    expect(j.exitCode).toBe(2);
    expect(expectEnvelope(j.json).error.details).toMatchObject({ outcome: "unsupported" });
    expect(j.json.error.message).toContain("nixi does not send e-mail");
  });

  it("an invalid answer is sent back once with the error; a second invalid answer is exit 2 (raw answer with -v)", async () => {
    const s = await server([{ content: "sure! here you go" }, pick("fw open"), fill(fwOpen(["8080"]))]);
    const ok = await ask(s, ["--print", "open 8080"]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(s.chats[1].messages.at(-1).content).toContain("not valid JSON");
    expect(s.chats[1].messages.at(-2)).toEqual({ role: "assistant", content: "sure! here you go" });
    const s2 = await server([{ content: "{" }, { content: "nope" }]);
    const bad = await ask(s2, ["--print", "-v", "open 8080"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("not a valid nixi command");
    expect(bad.stderr).toContain("model answer: nope");
  });

  const root = () => makeRoot({ "/etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
  const INJECTIONS: Array<[string, ChatAnswer[]]> = [
    ["unknown command", [pick("fw open"), fill(fwOpen(["8080"])), { json: { outcome: "commands", message: "", steps: [{ command: "shell run", context: false }] } }, { json: { outcome: "commands", message: "", steps: [{ command: "rm", context: false }] } }]],
    ["an injected yes field", [pick("fw open"), fill({ ...fwOpen(["8080"]), yes: true }), fill({ ...fwOpen(["8080"]), yes: true })]],
    ["--root / as a value", [pick("fw open"), fill(fwOpen(["--root", "/"])), fill(fwOpen(["8080", "--yes"]))]],
    ["a shell command as a port", [pick("fw open"), fill(fwOpen(["8080; rm -rf /"])), fill(fwOpen(["$(reboot)"]))]],
    ["a change step as context", [{ json: { outcome: "commands", message: "", steps: [{ command: "fw open", context: true }] } }, { json: { outcome: "commands", message: "", steps: [{ command: "fw open", context: true }] } }]],
  ];
  for (const [what, answers] of INJECTIONS) {
    it(`${what}: rejected (exit 2), nothing runs even with --yes`, async () => {
      // "unknown command" is rejected at stage 1 after a valid first turn of another request: use its last two answers
      const s = await server(what === "unknown command" ? answers.slice(2) : answers);
      const R = root();
      const before = treeHash(R);
      const r = await ask(s, ["--yes", "--no-rebuild", "--root", R, "open port 8080"]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain("not a valid nixi command");
      expect(treeHash(R)).toBe(before);
      expect(s.answers).toEqual([]);
    });
  }

  it("done_reason length is a clear 'cut off' error, not a parse error", async () => {
    const s = await server([{ content: '{"outcome": "comm', done_reason: "length" }]);
    const r = await ask(s, ["--print", "open 8080"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("cut off");
    expect(r.stderr).not.toContain("JSON");
  });

  it("a server that does not answer is a timeout error (exit 5), never a hang", async () => {
    const s = await server([{ delayMs: 4000, json: {} }]);
    const r = await ask(s, ["--print", "open 8080"], { extra: "timeout = 1" });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain("did not answer within 1s");
  });

  it("a missing model is exit 5 with `ollama pull`; a small model is warned about", async () => {
    const s = await server([], { models: [{ name: "llama3.2:3b", parameterSize: "3.2B" }] });
    const r = await ask(s, ["--print", "open 8080"]);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain("ollama pull qwen3:8b");
    const s2 = await server([pick("fw open"), fill(fwOpen(["8080"]))], { models: [{ name: "llama3.2:3b", parameterSize: "3.2B" }] });
    const small = await ask(s2, ["--print", "--model", "llama3.2:3b", "open 8080"]);
    expect(small.exitCode, small.stderr).toBe(0);
    expect(small.stderr).toMatch(/3\.2B parameters: below about 7B, command translation is unreliable/);
  });

  it("a server that is down is exit 5 naming the host and how to start Ollama", async () => {
    const s = await startScriptedOllama([]);
    const url = s.url;
    await s.close();
    const r = await ask(url, ["--print", "open 8080"]);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain(`cannot reach Ollama at ${url}`);
    expect(r.stderr).toContain("ollama serve");
  });

  it('"does not support thinking" is retried without think', async () => {
    const s = await server([{ status: 400, error: '"qwen2.5:7b" does not support thinking' }, pick("fw open"), fill(fwOpen(["8080"]))]);
    const r = await ask(s, ["--print", "open 8080"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.chats[0].think).toBe(false);
    expect(s.chats[1]).not.toHaveProperty("think");
  });
});

describe("nixi ask: secrets", () => {
  it("a password in the request never reaches the model, the proposal, --json or the printed lines", async () => {
    const deploy = { nodes: [], args: { name: "db" }, flags: { image: "postgres:16", port: [], env: [], "env-secret": ["POSTGRES_PASSWORD"], volume: [], cmd: "", "depends-on": [], "restart-policy": "", "open-firewall": false, public: false, backend: "" } };
    const s = await server([pick("container deploy"), fill(deploy)]);
    const r = await ask(s, ["--json", "deploy postgres 16 as db with password hunter2 and token ghp_abcdefghijklmnopqrstuvwxyz0123"]);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const b of s.bodies) {
      expect(b).not.toContain("hunter2");
      expect(b).not.toContain("ghp_abc");
    }
    expect(s.chats[0].messages[1].content).toContain("password <secret-1>");
    expect(r.stdout).not.toContain("hunter2");
    expect(r.json.data.steps[0].line).toBe("nixi container deploy db --image postgres:16 --env-secret POSTGRES_PASSWORD");
    // a placeholder offered back as a value is refused
    const s2 = await server([pick("container deploy"), fill({ ...deploy, flags: { ...deploy.flags, env: ["POSTGRES_PASSWORD=<secret-1>"] } }), fill(deploy)]);
    const r2 = await ask(s2, ["--print", "deploy postgres as db with password hunter2"]);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(s2.chats[2].messages.at(-1).content).toContain("use the command's secret flag with the variable name only");
  });

  it("secrets registered in the run (context output) are redacted before they are sent", async () => {
    const { registerSecret } = await import("../../src/core/redact.js");
    const { OllamaClient } = await import("../../src/ask/ollama.js");
    const { translate } = await import("../../src/ask/translate.js");
    const { SOURCE_CATALOG } = await import("../../src/commands/registry.js");
    const { PassThrough } = await import("node:stream");
    registerSecret("correct-horse-battery");
    const s = await server([pick(["service failed", true]), fill({ nodes: [] }), pick("service restart"), fill({ nodes: [], args: { name: "nginx" } })]);
    const client = await OllamaClient.create({ host: s.url, model: "qwen3:8b", numCtx: 8192, timeoutSeconds: 5, keepAlive: "5m" });
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false };
    const p = await translate({
      client, catalog: SOURCE_CATALOG, nodes: [], request: "restart whatever failed", io, env: {},
      runContext: async () => ['[{"unit":"nginx.service","note":"DB_PASSWORD=correct-horse-battery api_key=abc123def"}]'],
    });
    expect(p.steps.map((x) => x.line)).toEqual(["nixi service restart nginx"]);
    expect(p.rounds).toEqual([{ round: 1, steps: ["nixi service failed"], outputBytes: expect.any(Number) }]);
    const body = s.bodies.join("\n");
    expect(body).toContain("nginx.service");
    expect(body).not.toContain("correct-horse-battery");
    expect(body).not.toContain("abc123def");
  });
});

describe("nixi ask: running the steps through their gates", () => {
  const root = () => makeRoot({ "/etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
  const answers = () => [pick("fw open"), fill(fwOpen(["8080"]))];

  it("a change step without a terminal and without --yes: exit 3, nothing changed", async () => {
    const R = root();
    const before = treeHash(R);
    const r = await ask(await server(answers()), ["--no-rebuild", "--root", R, "open port 8080"]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain("nixi fw open 8080");
    expect(r.stderr).toContain("needs confirmation: nothing was run");
    expect(treeHash(R)).toBe(before);
  });

  it("--yes on the ask line applies it; --dry-run runs the step with --dry-run", async () => {
    const R = root();
    const dry = await ask(await server(answers()), ["--dry-run", "--root", R, "open port 8080"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run: nothing was changed");
    expect(existsSync(join(R, NIXI_DIR, "firewall.nix"))).toBe(false);
    const r = await ask(await server(answers()), ["--yes", "--no-rebuild", "--root", R, "open port 8080"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("ask: step 1/1: nixi fw open 8080");
    expect(read(R, `${NIXI_DIR}/firewall.nix`)).toContain("8080");
  });

  it("a failing step stops the rest; the summary says what ran, failed and did not run", async () => {
    const R = root();
    const s = await server([pick("fw open", "fw close", "fw open"), fill(fwOpen(["8080"]), { nodes: [], args: { ports: ["8080"] }, flags: { interface: "" } }, fwOpen(["9090"]))]);
    // fw close --interface is in the schema; make step 2 fail on the node instead: an unreachable node
    s.answers[1] = fill(fwOpen(["8080"]), { nodes: ["web-server"], args: { ports: ["8080"] }, flags: { interface: "" } }, fwOpen(["9090"]));
    const r = await ask(s, ["--yes", "--no-rebuild", "--root", R, "open 8080, close it on web-server, open 9090"], { extra: "[ssh]\nconnect_timeout = 1" });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/1 of 3 steps done; failed: nixi fw close 8080 --node web-server \(exit \d\); not run: nixi fw open 9090/);
    expect(read(R, `${NIXI_DIR}/firewall.nix`)).toContain("8080");
    expect(read(R, `${NIXI_DIR}/firewall.nix`)).not.toContain("9090");
  });

  it("on a terminal: a correction is re-translated with the previous proposal; the change asks at its own gate", async () => {
    const R = root();
    const s = await server([pick("fw open"), fill(fwOpen(["8080"])), pick("fw open"), fill(fwOpen(["8443"]))]);
    const inputs = ["yes, but use port 8443", "yes"];
    const confirms: string[] = [];
    const prompter: Prompter = {
      input: async () => inputs.shift()!,
      confirm: async (m) => (confirms.push(m), true),
      password: async () => {
        throw new Error("no password expected");
      },
    };
    const r = await ask(s, ["--no-rebuild", "--root", R, "open port 8080"], { tty: true, prompter });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(inputs).toEqual([]);
    expect(s.chats[2].messages[1].content).toContain("nixi fw open 8080");
    expect(s.chats[2].messages[1].content).toContain("<correction>yes, but use port 8443</correction>");
    expect(confirms).toEqual(["Apply these changes?"]);
    const fw = read(R, `${NIXI_DIR}/firewall.nix`);
    expect(fw).toContain("8443");
    expect(fw).not.toContain("8080");
  });

  it("on a terminal: a secret typed in the request is offered (masked) at the step's prompt and used once confirmed", async () => {
    const R = root();
    const deploy = { nodes: [], args: { name: "db" }, flags: { image: "postgres:16", port: [], env: [], "env-secret": ["POSTGRES_PASSWORD"], volume: [], cmd: "", "depends-on": [], "restart-policy": "", "open-firewall": false, public: false, backend: "podman" } };
    const s = await server([pick("container deploy"), fill(deploy)]);
    const confirms: string[] = [];
    const prompter: Prompter = {
      input: async () => "yes",
      confirm: async (m) => (confirms.push(m), true),
      password: async (m) => {
        throw new Error(`asked again: ${m}`);
      },
    };
    const r = await ask(s, ["--no-rebuild", "--root", R, "deploy postgres 16 as db with password hunter2"], { tty: true, prompter });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(confirms.some((m) => m.includes("use the secret from your request (<secret-1> = *******)"))).toBe(true);
    expect(read(R, "/srv/.credentials/db.env")).toContain("POSTGRES_PASSWORD=hunter2");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
    for (const b of s.bodies) expect(b).not.toContain("hunter2");
  });

  it("on a terminal: no runs nothing (exit 3)", async () => {
    const R = root();
    const before = treeHash(R);
    const prompter: Prompter = { input: async () => "no", confirm: async () => true, password: async () => "" };
    const r = await ask(await server(answers()), ["--no-rebuild", "--root", R, "open port 8080"], { tty: true, prompter });
    expect(r.exitCode).toBe(3);
    expect(treeHash(R)).toBe(before);
  });

  it("read-then-act: the context read runs, its output goes back, and --json shows the round", async () => {
    const R = root();
    const s = await server([pick(["fw list", true]), fill({ nodes: [] }), pick("fw close"), fill({ nodes: [], args: { ports: ["8080"] }, flags: { interface: "" } })]);
    // something to read: port 8080 opened by hand first
    expect((await run(["fw", "open", "8080", "--yes", "--no-rebuild", "--root", R])).exitCode).toBe(0);
    const r = await ask(s, ["--json", "--yes", "--no-rebuild", "--root", R, "close every port nixi opened"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("round 1: reading for context: nixi fw list");
    expect(s.chats[2].messages[1].content).toMatch(/Output of `nixi fw list`[\s\S]*8080/);
    const d = expectEnvelope(r.json).data;
    expect(d.rounds).toEqual([{ round: 1, steps: ["nixi fw list"], outputBytes: expect.any(Number) }]);
    expect(d.results[0].envelope).toMatchObject({ ok: true, command: "fw close" });
    expect(existsSync(join(R, NIXI_DIR, "firewall.nix"))).toBe(false);
  });
});
