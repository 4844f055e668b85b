import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { ChannelName } from "../../system/schemas.js";

export default defineCommand<{ name: string }, { name: string; url: string }>({
  path: ["channel", "remove"],
  summary: "Remove a Nix channel",
  risk: "change",
  args: [{ name: "name", description: "channel name", schema: ChannelName }],
  examples: ["nixi channel remove nixos-hardware", "nixi channel remove nixos-hardware --dry-run"],
  jsonFields: ["name", "url"],
  async plan(ctx, { name }) {
    const { refuseOnFlake, listChannels } = await import("../../system/channels.js");
    await refuseOnFlake(ctx);
    const channels = await listChannels(ctx);
    const ch = channels.find((c) => c.name === name);
    if (!ch) throw new NixiError("NOT_FOUND", `no channel named ${name}`, channels.length ? `channels: ${channels.map((c) => c.name).join(", ")}` : "there are no channels");
    return {
      summary: [`remove channel ${name} (${ch.url})`, ...(name === "nixos" ? ["warning: nixos-rebuild on a channel system needs the nixos channel"] : [])],
      files: [],
      commands: [`nix-channel --remove ${name}`],
      rebuild: false,
      data: { name, url: ch.url },
    };
  },
  async apply(ctx, { name }, plan) {
    const { changeRun } = await import("../../system/gather.js");
    const { listChannels } = await import("../../system/channels.js");
    const url = (await listChannels(ctx)).find((c) => c.name === name)?.url ?? "";
    void plan;
    await changeRun(ctx, ["nix-channel", "--remove", name]);
    return { name, url };
  },
});
