import { defineCommand } from "../../core/command.js";

// Reached as `nixi ask eval [FILE]` through ../ask/ask.ts (the first word "eval").
export default defineCommand<{ file?: string; model?: string; host?: string; limit?: number }, any>({
  path: ["ask", "eval"],
  summary: "Run a prompt set (JSONL) against the configured model: accuracy, invalid and unsafe proposals, latency",
  description:
    'Each line: {"prompt": "...", "expect": ["nixi ..."], "outcome": "commands|clarify|unsupported", "nodes": [...], "forbid": [...], "context": {"nixi service failed": "..."}, "unsafe": ["nixi ..."]}. ' +
    'A context step the model proposes that matches a "context" line gets that simulated output (redacted and truncated like a real read); a step matching an "unsafe" line, or an answer that tries a flag the model can never set, counts as unsafe. ' +
    "Without FILE, the prompt set shipped with nixi. Nothing is run on any machine.",
  risk: "read",
  controllerOnly: true,
  args: [{ name: "file", description: "prompt set (JSONL; - for stdin)", optional: true }],
  examples: ["nixi ask eval", "nixi ask eval my-prompts.jsonl --json"],
  jsonFields: ["evaluation", "model", "file", "metrics", "items"],
  async run(ctx, input) {
    const { runEval } = await import("../../ask/evaluate.js");
    return runEval(ctx, input);
  },
});
