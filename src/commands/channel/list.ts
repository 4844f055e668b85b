import { defineCommand } from "../../core/command.js";
import type { Channel } from "../../system/nix.js";

export default defineCommand<Record<string, never>, { configuration: "flake" | "channels"; channels: Channel[] }>({
  path: ["channel", "list"],
  summary: "List root's Nix channels (the ones nixos-rebuild uses)",
  risk: "read",
  examples: ["nixi channel list", "nixi channel list --json"],
  jsonFields: ["configuration", "channels"],
  async run(ctx) {
    const { isFlake, nixosDir } = await import("../../system/gather.js");
    const { listChannels } = await import("../../system/channels.js");
    const flake = await isFlake(ctx);
    if (flake) ctx.warn(`this machine is configured by a flake (${nixosDir(ctx)}/flake.nix): channels do not apply; use \`nixi system upgrade\``);
    return { configuration: flake ? "flake" : "channels", channels: await listChannels(ctx) };
  },
  render(d, out) {
    if (d.channels.length === 0) return out.line(out.style.dim("(no channels)"));
    out.table(d.channels, [
      { key: "name", header: "name" },
      { key: "url", header: "url" },
    ]);
  },
});
