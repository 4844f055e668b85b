// Which machines a command runs on, and the executor for each.
import type { Config } from "../core/config.js";
import type { Executor } from "../core/executor.js";
import type { GlobalFlags } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { LocalExecutor } from "./local.js";

export const LOCAL = "local";

/** Node names from --node / --all-nodes, validated against the inventory. */
export function resolveTargets(config: Config, flags: GlobalFlags): string[] {
  const names = flags.allNodes ? [LOCAL, ...config.nodes.map((n) => n.name)] : flags.nodes.length ? flags.nodes : [LOCAL];
  for (const name of names) {
    if (name !== LOCAL && !config.nodes.some((n) => n.name === name)) {
      const known = [LOCAL, ...config.nodes.map((n) => n.name)].join(", ");
      throw new NixiError("INVALID_ARGUMENT", `unknown node "${name}"`, `known nodes: ${known} (add one with \`nixi node adopt NAME HOST\`)`);
    }
  }
  return [...new Set(names)];
}

export async function createExecutor(node: string, config: Config, flags: GlobalFlags, env: NodeJS.ProcessEnv): Promise<Executor> {
  if (node === LOCAL) return new LocalExecutor({ root: flags.root, env });
  throw new NixiError("INVALID_ARGUMENT", `node "${node}": remote execution is not available in this build`, "run the command on the node itself");
}
