import { defineCommand } from "../../core/command.js";
import type { Ctx } from "../../core/context.js";
import type { NodeEntry } from "../../core/config.js";
import type { Executor } from "../../core/executor.js";
import { NixiError } from "../../core/errors.js";
import { NodeName } from "../../nodes/inventory.js";

interface SetupInput {
  name: string;
  runtime?: "podman" | "docker";
}

export interface SetupData {
  node: string;
  user: string;
  runtime: "podman" | "docker";
  file: string;
  sudoCommands: string[];
  changed: boolean;
  rebuilt: boolean;
}

function findNode(ctx: Ctx, name: string): NodeEntry {
  const node = ctx.config.nodes.find((n) => n.name === name);
  if (!node) {
    const known = ctx.config.nodes.map((n) => n.name).join(", ") || "none";
    throw new NixiError("INVALID_ARGUMENT", `unknown node "${name}"`, `nodes in ${ctx.config.path}: ${known}; add one with \`nixi node adopt\``);
  }
  if (node.mode === "monitored") {
    throw new NixiError("MONITORED", `node ${name} is monitored (read-only): nixi does not set it up`, `to manage it, set mode = "managed" for it in ${ctx.config.path}`);
  }
  return node;
}

/** The same context, aimed at the node: its executor, its name, and the given flag overrides. */
async function onNode(ctx: Ctx, node: NodeEntry, flags: Partial<Ctx["flags"]>): Promise<{ nctx: Ctx; exec: Executor }> {
  const { createExecutor } = await import("../../exec/targets.js");
  const exec = await createExecutor(node.name, ctx.config, ctx.flags, ctx.env);
  return { exec, nctx: { ...ctx, exec, node: node.name, flags: { ...ctx.flags, ...flags } } };
}

async function pickRuntime(exec: Executor, wanted?: "podman" | "docker"): Promise<"podman" | "docker"> {
  if (wanted) return wanted;
  // match what the node already runs; podman otherwise (the NixOS default backend)
  if (!(await exec.which("podman")) && (await exec.which("docker"))) return "docker";
  return "podman";
}

async function change(nctx: Ctx, node: NodeEntry, runtime: "podman" | "docker") {
  const { runChange } = await import("../../nixos/transaction.js");
  const { sudoCommands } = await import("../../nixos/node-setup.js");
  const commands = node.user === "root" ? [] : sudoCommands(nctx.config.nixiDir, runtime);
  const r = await runChange(nctx, (state) => {
    state.node = { user: node.user, runtime, dir: nctx.config.nixiDir };
    return {
      summary: [
        node.user === "root"
          ? `${node.name} logs in as root: no sudo rules needed`
          : `sudo rules for ${node.user}: NOPASSWD for ${commands.length} commands nixi runs (no shell, files only under /srv and ${nctx.config.nixiDir})`,
        `container runtime ${runtime} with DNS on its network`,
        "NFS and SMB client utilities",
        `/srv owned by ${node.user}`,
      ],
    };
  });
  return { r, commands };
}

export default defineCommand<SetupInput, SetupData>({
  path: ["node", "setup"],
  summary: "Prepare a managed node: narrow sudo rules, container runtime, NFS/SMB, /srv",
  description:
    "Writes node.nix into nixi's folder on the node (through its SSH executor) and rebuilds that node: security.sudo.extraRules with NOPASSWD limited to the programs nixi runs " +
    "(nixos-rebuild, systemctl, the container runtime, nix-env, nix-channel, nix-store, reboot, mount/umount, passwd/chpasswd, systemd-run, read-only nft/iptables, and file programs only on paths under /srv and nixi's folder), " +
    "the container runtime with DNS, NFS/SMB client utilities and /srv owned by the node's user. The first run needs root or sudo without a password on the node.",
  risk: "change",
  controllerOnly: true,
  args: [{ name: "name", description: "node name", schema: NodeName }],
  flags: {
    runtime: { type: "string", description: "container runtime (default: the one the node has, else podman)", choices: ["podman", "docker"], placeholder: "RUNTIME" },
  },
  examples: ["nixi node setup web1", "nixi node setup web1 --runtime docker --dry-run"],
  jsonFields: ["node", "user", "runtime", "file", "sudoCommands", "changed", "rebuilt"],

  async plan(ctx, input) {
    const node = findNode(ctx, input.name);
    const { nctx, exec } = await onNode(ctx, node, { dryRun: true });
    try {
      const runtime = await pickRuntime(exec, input.runtime);
      const { r, commands } = await change(nctx, node, runtime);
      const file = `${ctx.config.nixiDir}/node.nix`;
      return { ...r.plan, data: { node: node.name, user: node.user, runtime, file, sudoCommands: commands, changed: false, rebuilt: false } };
    } finally {
      await exec.close();
    }
  },

  async apply(ctx, input) {
    const node = findNode(ctx, input.name);
    const { nctx, exec } = await onNode(ctx, node, { dryRun: false, yes: true });
    try {
      const runtime = await pickRuntime(exec, input.runtime);
      const { r, commands } = await change(nctx, node, runtime);
      return { node: node.name, user: node.user, runtime, file: `${ctx.config.nixiDir}/node.nix`, sudoCommands: commands, changed: r.changed, rebuilt: r.rebuilt };
    } finally {
      await exec.close();
    }
  },

  render(d, out) {
    out.kv([
      ["node", d.node],
      ["module", d.file],
      ["runtime", d.runtime],
      ["sudo", d.sudoCommands.length ? `${d.sudoCommands.length} commands for ${d.user}, NOPASSWD` : "not needed (root)"],
      ["rebuilt", d.rebuilt ? "yes" : "no"],
    ]);
  },
});
