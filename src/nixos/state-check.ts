// state.toml is hand-editable, so what it holds is checked like flags before nixi renders it:
// a misspelt table (`[firewal]`) would otherwise render nothing for it and drop what is declared.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { at, tableLine } from "../core/toml-lines.js";
import { AREAS } from "./areas.js";
import { STATE_FILE, type State } from "./state.js";

export const STATE_TABLES = ["version", ...AREAS.map((a) => a.key)];

/** Refuse top-level keys no area owns, with file:line. */
export async function checkStateTables(ctx: Pick<Ctx, "exec" | "config">, state: State): Promise<void> {
  const unknown = Object.keys(state).filter((k) => !STATE_TABLES.includes(k));
  if (unknown.length === 0) return;
  const path = `${ctx.config.nixiDir}/${STATE_FILE}`;
  const text = (await ctx.exec.readFile(path)) ?? "";
  const k = unknown[0];
  throw new NixiError(
    "STATE_INVALID",
    `${at(path, tableLine(text, k))}: unknown table [${k}] (nixi's tables: ${STATE_TABLES.filter((t) => t !== "version").join(", ")})`,
    "fix the name by hand (nixi never rewrites a state.toml it cannot read); nothing was changed",
  );
}
