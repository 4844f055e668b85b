import { z } from "zod";
import { defineCommand } from "../../core/command.js";
import { ContainerName } from "../../containers/validate.js";

const Since = z.string().refine((s) => /^(\d+(ns|us|ms|s|m|h))+$/.test(s) || /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s) || /^\d{1,12}$/.test(s), {
  message: "expected a duration (30s, 10m, 2h) or a time (2024-05-01T12:00:00Z, or Unix seconds)",
});
const Lines = z.number().int().min(1).max(1_000_000);

export default defineCommand<{ name: string; lines: number; since?: string; follow?: boolean }, any>({
  path: ["container", "logs"],
  summary: "Show a container's log (redacted)",
  risk: "read",
  args: [{ name: "name", description: "container name", schema: ContainerName }],
  flags: {
    lines: { type: "number", short: "n", description: "how many lines from the end", placeholder: "N", default: 100, schema: Lines },
    since: { type: "string", description: "only lines newer than this (30s, 10m, 2h, or a time)", placeholder: "T", schema: Since },
    follow: { type: "boolean", short: "f", description: "keep printing new lines until the container stops (Ctrl-C ends)" },
  },
  examples: ["nixi container logs web", "nixi container logs web --lines 20 --since 10m", "nixi container logs web --follow"],
  jsonFields: ["name", "backend", "lines"],
  async run(ctx, { name, lines, since, follow }) {
    const { loadState } = await import("../../nixos/transaction.js");
    const { detectBackend, runtimeFor } = await import("../../containers/runtime.js");
    const { redact } = await import("../../core/redact.js");
    const { inertLine } = await import("../../core/human.js");
    const { NixiError } = await import("../../core/errors.js");
    if (follow && ctx.flags.json) throw new NixiError("INVALID_ARGUMENT", "--follow streams lines and cannot be combined with --json");
    const state = await loadState(ctx);
    const backend = await detectBackend(ctx.exec, (state.containers as any)?.backend);
    if (!backend) throw new NixiError("FAILED", "neither podman nor docker is installed on this node");
    await registerContainerSecrets(ctx, state, name);
    const out = await runtimeFor(backend, ctx.exec).logs(name, {
      lines,
      since,
      follow,
      onLine: follow ? (l) => ctx.io.stdout.write(inertLine(redact(l.text)) + "\n") : undefined,
    });
    const shown = follow ? out.filter((l) => l.stream === "stderr") : out;
    return { name, backend, followed: !!follow, lines: shown.map((l) => ({ ...l, text: redact(l.text) })) };
  },
  render(data, out) {
    for (const l of data.lines) out.line(l.text);
  },
});

/** The container's own secret values (its credentials file) are masked in its logs, whatever the
 *  log line looks like ("connecting with hunter2" has no key=value shape for the patterns). */
async function registerContainerSecrets(ctx: any, state: any, name: string): Promise<void> {
  const { declared } = await import("../../containers/state.js");
  if (!declared(state)[name]?.secret_env?.length) return;
  const { credentialsFile } = await import("../../containers/volumes.js");
  const { parseDotenv } = await import("../../containers/secrets.js");
  const { registerSecret } = await import("../../core/redact.js");
  const text = await ctx.exec.readFile(credentialsFile(name)).catch(() => null);
  if (!text) return;
  try {
    for (const v of parseDotenv(text, credentialsFile(name)).values()) registerSecret(v);
  } catch {
    /* a hand-edited file nixi cannot parse: the patterns still apply */
  }
}
