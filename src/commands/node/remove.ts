import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { NodeName } from "../../nodes/inventory.js";
import { namedExports } from "../../core/lazy-import.js";

export interface RemoveData {
  name: string;
  config: string;
  /** Host keys forgotten from nixi's known_hosts (0 when another node still uses the address). */
  hostKeysRemoved: number;
}

export default defineCommand<{ name: string }, RemoveData>({
  path: ["node", "remove"],
  summary: "Drop a node from the inventory and forget its host key",
  description: "Removes the node's [[nodes]] block from config.toml (the rest of the file is kept as written) and its entry in nixi's known_hosts, so adopting it again with a new host key works. Nothing on the node changes.",
  risk: "change",
  controllerOnly: true,
  args: [{ name: "name", description: "node name", schema: NodeName }],
  examples: ["nixi node remove web1"],
  jsonFields: ["name", "config", "hostKeysRemoved"],

  async plan(ctx, { name }) {
    const node = ctx.config.nodes.find((n) => n.name === name);
    if (!node) {
      const known = ctx.config.nodes.map((n) => n.name).join(", ") || "none";
      throw new NixiError("INVALID_ARGUMENT", `unknown node "${name}"`, `nodes in ${ctx.config.path}: ${known}`);
    }
    const { readText, removeNode } = await import("../../nodes/inventory.js");
    const before = (await readText(ctx.config.path)) ?? "";
    const after = await removeNode(before, name);
    const { createTwoFilesPatch } = await namedExports(import("diff"));
    const diff = createTwoFilesPatch(ctx.config.path, ctx.config.path, before, after, "", "", { context: 3 })
      .split("\n")
      .filter((l) => !l.startsWith("====") && !l.startsWith("Index:"))
      .join("\n");
    const shared = ctx.config.nodes.some((n) => n.name !== name && n.host === node.host && n.port === node.port);
    return {
      summary: [
        `remove node ${name} (${node.user}@${node.host}:${node.port}) from ${ctx.config.path}`,
        shared ? `keep the host key of ${node.host}:${node.port}: another node uses the same address` : `forget its host key in ${ctx.config.ssh.knownHosts}`,
      ],
      files: [
        { path: ctx.config.path, action: "modify", diff },
        ...(shared ? [] : [{ path: ctx.config.ssh.knownHosts, action: "modify" as const }]),
      ],
      commands: [],
      rebuild: false,
    };
  },

  async apply(ctx, { name }) {
    const node = ctx.config.nodes.find((n) => n.name === name)!;
    const { readText, removeNode, writeText } = await import("../../nodes/inventory.js");
    const before = (await readText(ctx.config.path)) ?? "";
    await writeText(ctx.config.path, await removeNode(before, name));
    let removed = 0;
    if (!ctx.config.nodes.some((n) => n.name !== name && n.host === node.host && n.port === node.port)) {
      const { removeHost } = await import("../../exec/known-hosts.js");
      removed = await removeHost(ctx.config.ssh.knownHosts, node.host, node.port);
    }
    return { name, config: ctx.config.path, hostKeysRemoved: removed };
  },

  render(d, out) {
    out.line(`removed node ${d.name} from ${d.config}${d.hostKeysRemoved ? ` and forgot ${d.hostKeysRemoved} host key(s)` : ""}`);
  },
});
