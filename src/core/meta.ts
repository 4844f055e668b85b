// What --help, completions, man pages and `ask` need of a command: its spec without functions
// or schemas. The build writes these into a manifest so start-up never loads command code.
import type { AnyCommand, ArgSpec, FlagSpec, Risk } from "./command.js";

export type ArgMeta = Omit<ArgSpec, "schema">;
export type FlagMeta = Omit<FlagSpec, "schema">;

export interface CommandMeta {
  path: string[];
  summary: string;
  description?: string;
  risk: Risk;
  args: ArgMeta[];
  flags: Record<string, FlagMeta>;
  examples: string[];
  jsonFields?: string[];
  controllerOnly?: boolean;
}

export function toMeta(spec: AnyCommand): CommandMeta {
  const flags: Record<string, FlagMeta> = {};
  for (const [name, f] of Object.entries(spec.flags ?? {})) {
    const { schema: _s, ...rest } = f;
    flags[name] = rest;
  }
  return {
    path: spec.path,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    risk: spec.risk,
    args: (spec.args ?? []).map(({ schema: _s, ...a }) => a),
    flags,
    examples: spec.examples ?? [],
    ...(spec.jsonFields ? { jsonFields: spec.jsonFields } : {}),
    ...(spec.controllerOnly ? { controllerOnly: true } : {}),
  };
}

/** Source file of a command, by convention: src/commands/<group>/<leaf>.ts (a one-word command: <name>/<name>.ts). */
export function commandModule(path: string[]): string {
  return path.length === 1 ? `${path[0]}/${path[0]}` : path.join("/");
}

/** A catalog of commands: metadata for every command, and the full spec loaded on demand. */
export interface Catalog {
  metas: CommandMeta[];
  /** The commands whose first word is `top` (the same as filtering `metas`, without reading all). */
  metasOf?(top: string): CommandMeta[];
  groups: Record<string, string>;
  load(path: string[]): Promise<AnyCommand>;
}
