// Commands are data: a spec that --help, completions, man pages and `ask` read,
// plus functions the engine calls. Heavy modules are imported inside those functions.
import type { z } from "zod";
import type { Ctx } from "./context.js";
import type { Validator } from "./check.js";
import type { Plan } from "./plan.js";
import type { State } from "../nixos/state.js";

export type Risk = "read" | "operate" | "change";

export interface ArgSpec {
  name: string;
  description: string;
  /** Takes the rest of the positional arguments (value is a string[]). */
  variadic?: boolean;
  optional?: boolean;
  /** Validates (and may transform) the raw string; for a variadic argument, each element. Errors become exit 2 naming the value. */
  schema?: z.ZodType | Validator;
}

export interface FlagSpec {
  description: string;
  /** boolean: --flag; string: --flag VALUE; list: --flag V repeated, collected as string[]; number: parsed. */
  type: "boolean" | "string" | "number" | "list";
  short?: string;
  /** Shown in help as --flag <placeholder>. */
  placeholder?: string;
  default?: unknown;
  choices?: readonly string[];
  /** Validates (and may transform) the value; for a list flag, each element. */
  schema?: z.ZodType | Validator;
  /** The value is secret: never in the ask schema, never echoed. */
  secret?: boolean;
  /** Not shown to the model in `nixi ask` (e.g. --purge). */
  hiddenFromAsk?: boolean;
}

/** What a change command's mutate() returns, besides changing the state draft. */
export interface MutateResult<D = unknown> {
  /** Bulleted summary lines for the plan. */
  summary: string[];
  /** Data for the JSON envelope / human output. */
  data?: D;
  /** Extra files to write as part of the same transaction (content is never shown when secret). */
  files?: Array<{ path: string; content: string; mode?: number; secret?: boolean; privileged?: boolean }>;
  /** Folders to create (e.g. /srv/<name>/data). */
  mkdirs?: Array<{ path: string; mode?: number }>;
  /** Paths to delete after a successful rebuild (e.g. --purge). */
  removals?: string[];
  /** Commands to run after the files are written, before the rebuild. */
  commands?: Array<{ argv: string[]; privileged?: boolean; description?: string }>;
  warnings?: string[];
  /** What in this change makes the machine less secure (src/core/findings.ts gates them). */
  findings?: import("./findings.js").Finding[];
}

export interface CommandSpec<I = Record<string, any>, D = unknown> {
  path: string[];
  summary: string;
  description?: string;
  risk: Risk;
  args?: ArgSpec[];
  flags?: Record<string, FlagSpec>;
  examples?: string[];
  /** Names of the top-level fields of `data` in --json output (documentation). */
  jsonFields?: string[];
  /** mutate-style only: run nixos-rebuild even when no file changes (`system rebuild`). */
  alwaysRebuild?: boolean;
  /** Only runs on the controller (e.g. node management): --node is refused. */
  controllerOnly?: boolean;
  /** Writes config.toml (node adopt): `--config FILE` may name a file that does not exist yet. */
  createsConfig?: boolean;

  /** read / operate commands. An operate command's envelope says changed: true unless its data
   *  carries `changed: false` (nothing to do: already running, already unlocked). */
  run?: (ctx: Ctx, input: I) => Promise<D>;

  /** Declarative change: edit the state draft; the engine renders, plans, confirms, writes, rebuilds. */
  mutate?: (state: State, input: I, ctx: Ctx) => Promise<MutateResult<D>> | MutateResult<D>;

  /** Imperative change: describe what will happen; `apply` runs only after confirmation. */
  plan?: (ctx: Ctx, input: I) => Promise<Plan & { data?: D }>;
  apply?: (ctx: Ctx, input: I, plan: Plan) => Promise<D>;

  /** Human rendering of data; default prints tables for arrays and aligned key/values for objects. */
  render?: (data: D, out: import("./output.js").HumanOut) => void;
  /** Exit code for a successful run with this data (e.g. `system health` returns 8 when failing). */
  exitCode?: (data: D) => number;
}

export type AnyCommand = CommandSpec<any, any>;

/** Global flags (src/cli.ts) that no command may redefine. */
export const GLOBAL_FLAG_NAMES = ["json", "yes", "dry-run", "rebuild", "no-rebuild", "input", "no-input", "color", "no-color", "quiet", "verbose", "root", "config", "node", "all-nodes", "tag", "parallel", "rolling", "max-fail", "safe-apply", "no-safe-apply", "force", "insecure", "help", "version"];
export const GLOBAL_SHORT_FLAGS = ["y", "q", "v", "h", "V"];

export function defineCommand<I = Record<string, any>, D = unknown>(spec: CommandSpec<I, D>): CommandSpec<I, D> {
  for (const [name, f] of Object.entries(spec.flags ?? {})) {
    if (GLOBAL_FLAG_NAMES.includes(name)) throw new Error(`command ${spec.path.join(" ")}: --${name} is a global flag`);
    // commander reads --no-X as the negation of --X
    if (name.startsWith("no-")) throw new Error(`command ${spec.path.join(" ")}: a flag may not start with no- (--${name})`);
    if (f.short && GLOBAL_SHORT_FLAGS.includes(f.short)) throw new Error(`command ${spec.path.join(" ")}: -${f.short} is taken by a global flag`);
  }
  const kinds = [spec.run && !spec.plan, spec.mutate, spec.plan && spec.apply].filter(Boolean).length;
  if (kinds !== 1) throw new Error(`command ${spec.path.join(" ")}: give exactly one of run, mutate, or plan+apply`);
  if (spec.risk !== "change" && (spec.mutate || spec.plan)) {
    throw new Error(`command ${spec.path.join(" ")}: only change commands mutate or plan`);
  }
  return spec;
}
