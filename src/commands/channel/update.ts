import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { ChannelName } from "../../system/schemas.js";

export default defineCommand<{ name?: string }, { updated: string[] }>({
  path: ["channel", "update"],
  summary: "Download the latest version of the channels (nix-channel --update); rebuild to use it",
  risk: "operate",
  args: [{ name: "name", description: "only this channel", optional: true, schema: ChannelName }],
  examples: ["nixi channel update", "nixi channel update nixos --json"],
  jsonFields: ["updated"],
  async run(ctx, { name }) {
    const { refuseOnFlake, listChannels } = await import("../../system/channels.js");
    const { changeRun } = await import("../../system/gather.js");
    await refuseOnFlake(ctx);
    const channels = await listChannels(ctx);
    if (name !== undefined && !channels.some((c) => c.name === name)) {
      throw new NixiError("NOT_FOUND", `no channel named ${name}`, channels.length ? `channels: ${channels.map((c) => c.name).join(", ")}` : "there are no channels (nixi channel add NAME URL)");
    }
    await changeRun(ctx, ["nix-channel", "--update", ...(name ? [name] : [])], { timeoutMs: 1_800_000 });
    return { updated: name ? [name] : channels.map((c) => c.name) };
  },
  render(d, out) {
    out.line(`${out.style.ok("✓")} updated ${d.updated.join(", ") || "(no channels)"}; run \`nixi system upgrade\` or \`nixi system rebuild\` to use them`);
  },
});
