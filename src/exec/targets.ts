// Which machines a command runs on, and the executor for each.
import type { Config, NodeEntry } from "../core/config.js";
import type { Executor } from "../core/executor.js";
import type { GlobalFlags } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { LocalExecutor } from "./local.js";

export const LOCAL = "local";

/** Node names from --node / --all-nodes, validated against the inventory. */
export function resolveTargets(config: Config, flags: GlobalFlags): string[] {
  const tagged = config.nodes.filter((n) => n.tags?.some((t) => flags.tags.includes(t))).map((n) => n.name);
  if (flags.tags.length && !flags.allNodes && tagged.length === 0) {
    throw new NixiError("INVALID_ARGUMENT", `no node in the inventory has the tag ${flags.tags.map((t) => `"${t}"`).join(" or ")}`, "tags come from `tags = [...]` in the [[nodes]] entries of config.toml");
  }
  const names = flags.allNodes ? [LOCAL, ...config.nodes.map((n) => n.name)] : [...flags.nodes, ...tagged];
  if (names.length === 0) names.push(LOCAL);
  for (const name of names) {
    if (name !== LOCAL && !config.nodes.some((n) => n.name === name)) {
      const known = [LOCAL, ...config.nodes.map((n) => n.name)].join(", ");
      throw new NixiError("INVALID_ARGUMENT", `unknown node "${name}"`, `known nodes: ${known} (add one with \`nixi node adopt NAME HOST\`)`);
    }
  }
  return [...new Set(names)];
}

/** The one place that makes an executor for a target: local, SSH, and the monitored wrapper. */
export async function createExecutor(node: string, config: Config, flags: GlobalFlags, env: NodeJS.ProcessEnv): Promise<Executor> {
  if (node === LOCAL) return new LocalExecutor({ root: flags.root, env });
  const entry = config.nodes.find((n) => n.name === node);
  if (!entry) throw new NixiError("INVALID_ARGUMENT", `unknown node "${node}"`, "list them with `nixi node list`");
  const ssh = await sshExecutor(entry, config, env, flags.verbose ? (m) => process.stderr.write(m + "\n") : undefined);
  if (entry.mode === "monitored") {
    const { MonitoredExecutor } = await import("./monitored.js");
    return new MonitoredExecutor(ssh);
  }
  return ssh;
}

/** An SSH executor for an inventory entry, with the [ssh] settings of config.toml. */
export async function sshExecutor(
  entry: NodeEntry,
  config: Config,
  env: NodeJS.ProcessEnv,
  debug?: (m: string) => void,
  extra: { password?: string } = {},
) {
  const { SshExecutor } = await import("./ssh.js");
  return new SshExecutor(entry, {
    knownHosts: config.ssh.knownHosts,
    connectTimeoutMs: config.ssh.connectTimeoutSeconds * 1000,
    commandTimeoutMs: config.ssh.commandTimeoutSeconds * 1000,
    identity: config.ssh.identity,
    env,
    debug,
    ...extra,
  });
}
