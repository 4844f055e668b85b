import { defineCommand } from "../../core/command.js";
import { formatEval } from "../../ask/evaluate.js";

// `nixi ask eval [FILE]` is this command with the first word "eval" (a command cannot also be a
// group in the registry): see ./eval.ts.
export default defineCommand<{ request: string[]; print?: boolean; model?: string; host?: string; limit?: number }, any>({
  path: ["ask"],
  summary: "Plain language to nixi command lines through a local Ollama model; each step runs through its own gate",
  description:
    "The model only proposes nixi command lines; nixi parses and validates each one as if typed, prints it, then runs it " +
    "through its own risk class (a change shows its plan and asks, or needs --yes on the ask line). The model never sets " +
    "--yes, --dry-run, --root, --config, --force, --insecure, --purge or any secret: secret values are asked for with a " +
    "masked prompt when the step runs. `nixi ask eval [FILE]` runs a prompt set (JSONL) against the model and prints its accuracy. " +
    "Settings: [ask] host, model, num_ctx, timeout, keep_alive in config.toml; --model, --host, OLLAMA_HOST.",
  risk: "change",
  controllerOnly: true,
  args: [{ name: "request", description: 'what to do, in plain language ("open port 8080 on web-server"), or `eval [FILE]`', variadic: true, optional: true }],
  flags: {
    print: { type: "boolean", description: "only print the proposed command lines (exit 0)" },
    model: { type: "string", description: "Ollama model (default: [ask] model in config.toml, else qwen3:8b)", placeholder: "model" },
    host: { type: "string", description: "Ollama server (default: OLLAMA_HOST, [ask] host, http://127.0.0.1:11434)", placeholder: "url" },
    limit: { type: "number", description: "ask eval: only the first N prompts", placeholder: "n" },
  },
  examples: [
    'nixi ask "open port 8080 and deploy nginx 1.27 on web-server"',
    'nixi ask --print "restart every failed service"',
    'nixi ask --json "why is nginx failing?"',
    "nixi ask eval",
    "nixi ask eval my-prompts.jsonl --json",
  ],
  jsonFields: ["model", "request", "outcome", "message", "question", "steps", "rounds", "requestSize", "ran", "results", "exitCode"],
  async run(ctx, input) {
    input.request ??= [];
    if (input.request[0] === "eval") {
      const { default: evalCommand } = await import("./eval.js");
      if (input.request.length > 2) throw new (await import("../../core/errors.js")).NixiError("INVALID_ARGUMENT", `nixi ask eval takes one FILE, not "${input.request.slice(1).join(" ")}"`);
      return evalCommand.run!(ctx, { file: input.request[1], model: input.model, host: input.host, limit: input.limit });
    }
    const { runAsk } = await import("../../ask/run.js");
    return runAsk(ctx, input);
  },
  render(data, out) {
    // the proposal and each step's output were printed as they happened; eval prints its table here
    if (data?.evaluation) out.line(formatEval(data).trimEnd());
  },
  exitCode: (data) => (typeof data?.exitCode === "number" ? data.exitCode : 0),
});
