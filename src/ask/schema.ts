// The JSON schemas and catalog text the model sees, derived from the registry metadata (the
// same CommandMeta that --help and the man page use). Kept inside what llama.cpp's and
// node-llama-cpp's JSON-schema grammars both honour: every property required,
// additionalProperties false, enums for choices, maxLength/maxItems; no pattern, no numeric
// ranges, no optional or nullable properties ("" / false / [] mean absent).
import type { CommandMeta, FlagMeta } from "../core/meta.js";

export type JsonSchema = Record<string, unknown>;

/** Flags the model can never set, whatever a command calls them: the person types these. */
export const FORBIDDEN_FLAGS = ["yes", "dry-run", "no-input", "input", "root", "config", "force", "insecure", "purge", "rebuild", "no-rebuild", "json", "all-nodes", "tag", "parallel", "quiet", "verbose", "help", "version",
  // never ends (a step must finish), and sends the machine's data to a URL of the model's choosing
  "follow", "webhook",
  // file write --from: a file where nixi runs, chosen by the model, would be copied onto a node
  "from"];
/** Names that say a flag holds a secret or reads a file where nixi runs (the model must not choose files to read). */
const SECRET_OR_FILE = /(^|-)(password|passwd|passphrase|token|credentials?|api-key|private-key|secret-value)(-|$)|-file$|^file$/;

/** Read commands that may not be context steps: they read a file or URL the model names, and the output would go back to it. */
export const NOT_CONTEXT = ["container analyze"];

/** Commands the model is offered: not `ask` itself. */
export function askableCommands(metas: CommandMeta[]): CommandMeta[] {
  return metas.filter((m) => m.path[0] !== "ask");
}

export function askableFlags(meta: CommandMeta): Array<[string, FlagMeta]> {
  return Object.entries(meta.flags).filter(([name, f]) => !f.secret && !f.hiddenFromAsk && !FORBIDDEN_FLAGS.includes(name) && !SECRET_OR_FILE.test(name));
}

export const MAX_STEPS = 8;
const STR = { type: "string", maxLength: 200 };
const LIST = { type: "array", maxItems: 12, items: STR };

const object = (properties: Record<string, unknown>): JsonSchema => ({ type: "object", properties, required: Object.keys(properties), additionalProperties: false });

/** Stage 1: which commands, in order (or a question / "not supported"). */
export function stage1Schema(metas: CommandMeta[]): JsonSchema {
  return object({
    outcome: { type: "string", enum: ["commands", "clarify", "unsupported"] },
    message: { type: "string", maxLength: 400 },
    steps: {
      type: "array",
      maxItems: MAX_STEPS,
      items: object({ command: { type: "string", enum: askableCommands(metas).map((m) => m.path.join(" ")) }, context: { type: "boolean" } }),
    },
  });
}

/** The narrow schema of one step: its node(s), positionals and askable flags. */
export function stepSchema(meta: CommandMeta, nodeNames: string[]): JsonSchema {
  const props: Record<string, unknown> = {};
  if (!meta.controllerOnly) props.nodes = { type: "array", maxItems: 8, items: { type: "string", enum: ["local", ...nodeNames] } };
  if (meta.args.length) {
    const args: Record<string, unknown> = {};
    for (const a of meta.args) args[a.name] = a.variadic ? LIST : STR;
    props.args = object(args);
  }
  const flags = askableFlags(meta);
  if (flags.length) {
    const fl: Record<string, unknown> = {};
    for (const [name, f] of flags) {
      fl[name] = f.type === "boolean" ? { type: "boolean" } : f.type === "list" ? LIST : f.choices ? { type: "string", enum: ["", ...f.choices] } : { type: "string", maxLength: f.type === "number" ? 20 : 200 };
    }
    props.flags = object(fl);
  }
  return object(props);
}

/** Stage 2: one property per chosen step, in order (s1, s2, ...), so no unions are needed. */
export function stage2Schema(chosen: CommandMeta[], nodeNames: string[]): JsonSchema {
  const props: Record<string, unknown> = {};
  chosen.forEach((m, i) => (props[`s${i + 1}`] = stepSchema(m, nodeNames)));
  return object(props);
}

/** One line per command for stage 1. */
export function catalogText(metas: CommandMeta[]): string {
  return askableCommands(metas)
    .map((m) => `${m.path.join(" ")} [${m.risk}]: ${m.summary}`)
    .join("\n");
}

/** Full usage of the chosen commands for stage 2: arguments, flags, choices, examples. */
export function usageText(meta: CommandMeta): string {
  const lines = [`${meta.path.join(" ")} [${meta.risk}]: ${meta.summary}`];
  for (const a of meta.args) lines.push(`  arg ${a.name}${a.variadic ? " (list)" : ""}${a.optional ? " (optional: \"\" if absent)" : ""}: ${a.description}`);
  for (const [name, f] of askableFlags(meta)) {
    const kind = f.type === "boolean" ? "true/false" : f.type === "list" ? "list" : f.choices ? `one of ${f.choices.join(", ")} or ""` : `${f.type === "number" ? "number" : "text"} or ""`;
    lines.push(`  flag ${name} (${kind}): ${f.description}`);
  }
  const examples = meta.examples.filter((e) => !/--(yes|purge|root|config|[a-z-]*file)\b/.test(e)).slice(0, 3);
  for (const e of examples) lines.push(`  example: ${e}`);
  return lines.join("\n");
}
