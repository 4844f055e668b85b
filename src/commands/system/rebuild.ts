import { defineCommand } from "../../core/command.js";
import { runChange } from "../../nixos/transaction.js";

// Applies what is staged (--no-rebuild changes, hand edits of state.toml): re-renders the
// modules from state.toml and runs nixos-rebuild once, restoring nixi's files on failure.
export default defineCommand({
  path: ["system", "rebuild"],
  summary: "Render state.toml and run nixos-rebuild (applies staged changes)",
  risk: "change",
  examples: ["nixi system rebuild --yes", "nixi fw open 80 --no-rebuild --yes && nixi fw open 443 --no-rebuild --yes && nixi system rebuild --yes"],
  alwaysRebuild: true,
  mutate: (_state, _input, ctx) => ({ summary: [`apply nixi's modules with nixos-rebuild ${ctx.config.rebuild.mode}`], data: { mode: ctx.config.rebuild.mode } }),
});
