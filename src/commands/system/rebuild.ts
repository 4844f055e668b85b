import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { RebuildMode } from "../../core/config.js";

const MODES = ["switch", "test", "boot", "build", "dry-activate"] as const;

// Applies what is staged (--no-rebuild changes, hand edits of state.toml): re-renders the
// modules from state.toml and runs nixos-rebuild once, restoring nixi's files on failure.
// --mode overrides [rebuild] mode of config.toml for this run; build and dry-activate change
// nothing that runs (nixi's .applied generation is not moved for them).
export default defineCommand<{ mode?: RebuildMode; diff?: boolean }>({
  path: ["system", "rebuild"],
  summary: "Render state.toml and run nixos-rebuild (applies staged changes)",
  risk: "change",
  flags: {
    diff: { type: "boolean", description: "build first and show the closure diff (added, removed, upgraded packages) in the plan" },
    mode: { type: "string", description: "switch, test, boot, build or dry-activate (default: [rebuild] mode in config.toml, else switch)", placeholder: "mode", choices: MODES },
  },
  examples: [
    "nixi system rebuild --yes",
    "nixi system rebuild --mode boot --yes",
    "nixi system rebuild --mode dry-activate --yes",
    "nixi system rebuild --diff --dry-run",
    "nixi fw open 80 --no-rebuild --yes && nixi fw open 443 --no-rebuild --yes && nixi system rebuild --yes",
  ],
  jsonFields: ["mode"],
  alwaysRebuild: true,
  mutate: async (_state, { mode, diff }, ctx) => {
    if (mode !== undefined) {
      if (!(MODES as readonly string[]).includes(mode)) throw new NixiError("INVALID_ARGUMENT", `--mode must be one of ${MODES.join(", ")}, not ${JSON.stringify(mode)}`);
      ctx.config.rebuild = { ...ctx.config.rebuild, mode };
    }
    const m = ctx.config.rebuild.mode;
    const what = m === "build" ? "build the system without activating it" : m === "dry-activate" ? "build and show what activation would change, activating nothing" : `apply nixi's modules with nixos-rebuild ${m}`;
    // the closure diff is of the staged configuration (what nixi's files on disk declare)
    const closure = diff ? await (await import("../../nixos/closure-diff.js")).closureDiff(ctx) : [];
    return { summary: [what, ...closure], data: { mode: m } };
  },
});
