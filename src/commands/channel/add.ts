import { defineCommand } from "../../core/command.js";
import { ChannelName, ChannelUrl } from "../../system/schemas.js";

interface AddData {
  name: string;
  url: string;
  previousUrl: string | null;
}

export default defineCommand<{ name: string; url: string }, AddData>({
  path: ["channel", "add"],
  summary: "Add (or re-point) a Nix channel and download it",
  risk: "change",
  args: [
    { name: "name", description: "channel name, e.g. nixos or nixos-hardware", schema: ChannelName },
    { name: "url", description: "channel URL, e.g. https://nixos.org/channels/nixos-24.11", schema: ChannelUrl },
  ],
  examples: ["nixi channel add nixos https://nixos.org/channels/nixos-24.11", "nixi channel add nixos-hardware https://github.com/NixOS/nixos-hardware/archive/master.tar.gz --yes"],
  jsonFields: ["name", "url", "previousUrl"],
  async plan(ctx, { name, url }) {
    const { refuseOnFlake, listChannels } = await import("../../system/channels.js");
    await refuseOnFlake(ctx);
    const prev = (await listChannels(ctx)).find((c) => c.name === name) ?? null;
    const data = { name, url, previousUrl: prev?.url ?? null };
    if (prev?.url === url) return { summary: [`channel ${name} already points at ${url}`], files: [], commands: [], rebuild: false, data };
    return {
      summary: [prev ? `re-point channel ${name} from ${prev.url} to ${url}` : `add channel ${name} = ${url}`, `download it (nix-channel --update ${name}); rebuild to use it`],
      files: [],
      commands: [`nix-channel --add ${url} ${name}`, `nix-channel --update ${name}`],
      rebuild: false,
      data,
    };
  },
  async apply(ctx, { name, url }, plan) {
    const { changeRun } = await import("../../system/gather.js");
    const { listChannels } = await import("../../system/channels.js");
    const prev = (await listChannels(ctx)).find((c) => c.name === name) ?? null;
    void plan;
    await changeRun(ctx, ["nix-channel", "--add", url, name]);
    try {
      await changeRun(ctx, ["nix-channel", "--update", name], { timeoutMs: 1_800_000 });
    } catch (e) {
      // Leave the channel list as it was.
      if (prev) await ctx.exec.run(["nix-channel", "--add", prev.url, name], { privileged: true });
      else await ctx.exec.run(["nix-channel", "--remove", name], { privileged: true });
      throw e;
    }
    return { name, url, previousUrl: prev?.url ?? null };
  },
});
