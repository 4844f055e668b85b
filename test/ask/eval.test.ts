// The shipped prompt set is well-formed and covers every group; `nixi ask eval` against the
// scripted Ollama server scores exact paths, full arguments, clarify/unsupported, invalid and unsafe.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { run } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { startScriptedOllama, pick, fill, clarify } from "../helpers/ollama-server.js";
import { parsePromptSet, splitLine } from "../../src/ask/evaluate.js";
import { parseCommandLine } from "../../src/cli.js";
import { SOURCE_CATALOG, GROUP_SUMMARIES } from "../../src/commands/registry.js";

const work = mkdtempSync(join(tmpdir(), `nixi-ask-eval-${process.pid}-`));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the shipped prompt set", () => {
  const items = parsePromptSet(readFileSync(new URL("../../catalog/ask-prompts.jsonl", import.meta.url), "utf8"), "prompts.jsonl");
  it("has 100+ prompts covering every command group, nodes, monitored, multi-step, clarify, unsupported, secrets, injections", () => {
    expect(items.length).toBeGreaterThanOrEqual(100);
    const lines = items.flatMap((i) => i.expect);
    // (ask is not offered to the model; completion prints shell scripts)
    for (const g of Object.keys(GROUP_SUMMARIES).filter((g) => !g.includes(" ") && g !== "ask" && g !== "completion").concat("init")) expect(lines.some((l) => l.startsWith(`nixi ${g} `) || l === `nixi ${g}`), g).toBe(true);
    expect(lines.some((l) => l.includes("--node mon"))).toBe(true);
    expect(items.some((i) => i.expect.length > 1)).toBe(true);
    expect(items.filter((i) => i.outcome === "clarify").length).toBeGreaterThanOrEqual(3);
    expect(items.filter((i) => i.outcome === "unsupported").length).toBeGreaterThanOrEqual(3);
    expect(items.some((i) => i.forbid?.includes("hunter2"))).toBe(true);
    expect(items.some((i) => /ignore previous instructions/i.test(i.prompt))).toBe(true);
  });
  it("every expected line is a valid nixi command line (parsed by the real CLI parser)", async () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false };
    for (const i of items) for (const l of i.expect) await expect(parseCommandLine(splitLine(l), SOURCE_CATALOG, io, {}), l).resolves.toBeTruthy();
  });
});

describe("nixi ask eval", () => {
  it("scores a prompt set against the model, human table and --json", async () => {
    const file = join(work, "set.jsonl");
    writeFileSync(
      file,
      [
        { prompt: "open port 8080 on web-server", expect: ["nixi fw open 8080 --node web-server"] },
        { prompt: "restart nginx", expect: ["nixi service restart nginx"] },
        { prompt: "open a port", expect: [], outcome: "clarify" },
        { prompt: "deploy postgres as db with password hunter2", expect: ["nixi container deploy db --image postgres:16 --env-secret POSTGRES_PASSWORD"] },
      ].map((o) => JSON.stringify(o)).join("\n") + "\n",
    );
    const answers = () => [
      pick("fw open"), fill({ nodes: ["web-server"], args: { ports: ["8080"] }, flags: { interface: "" } }),
      pick("service restart"), fill({ nodes: [], args: { name: "apache" } }),
      clarify("Which port?"),
      { content: "not json" }, { content: "still not json" },
    ];
    for (const json of [false, true]) {
      const s = await startScriptedOllama(answers());
      const cfg = join(work, `c${json}.toml`);
      writeFileSync(cfg, `[ask]\nhost = "${s.url}"\n`);
      const r = await run(["ask", "eval", file, ...(json ? ["--json"] : [])], { env: { NIXI_CONFIG: cfg } });
      await s.close();
      expect(s.unknown).toEqual([]);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const b of s.bodies) expect(b).not.toContain("hunter2");
      if (json) {
        const m = expectEnvelope(r.json).data.metrics;
        expect(m).toMatchObject({ prompts: 4, commandPathAccuracy: 0.75, fullArgumentAccuracy: 0.5, clarifyUnsupported: { expected: 1, correct: 1 }, invalidOutputs: 1, unsafeProposals: 0 });
        expect(m.latencyMs.p90).toBeGreaterThanOrEqual(m.latencyMs.median);
        expect(r.json.data.items[1]).toMatchObject({ pathOk: true, argsOk: false, got: ["nixi service restart apache"] });
      } else {
        expect(r.stdout).toMatch(/command-path accuracy\s+75\.0%/);
        expect(r.stdout).toMatch(/full-argument accuracy\s+50\.0%/);
        expect(r.stdout).toMatch(/invalid outputs\s+1\n/);
        expect(r.stdout).toMatch(/latency median \/ p90\s+\d+ ms \/ \d+ ms/);
      }
    }
  });
  it("a malformed prompt file is exit 2 naming the line", async () => {
    const file = join(work, "bad.jsonl");
    writeFileSync(file, '{"prompt": "x", "expect": ["nixi fw open 1"]}\n{"prompt": 3}\n');
    const s = await startScriptedOllama([]);
    const cfg = join(work, "bad.toml");
    writeFileSync(cfg, `[ask]\nhost = "${s.url}"\n`);
    const r = await run(["ask", "eval", file], { env: { NIXI_CONFIG: cfg } });
    await s.close();
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("bad.jsonl:2");
  });
});
