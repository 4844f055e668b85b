// nix-channel helpers (root's channels: the ones nixos-rebuild uses).
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { isFlake, nixosDir, readRun } from "./gather.js";
import { parseChannelList, type Channel } from "./nix.js";

export async function listChannels(ctx: Ctx): Promise<Channel[]> {
  const r = await readRun(ctx, ["nix-channel", "--list"], { privileged: true });
  return parseChannelList(r.stdout);
}

export async function refuseOnFlake(ctx: Ctx): Promise<void> {
  if (await isFlake(ctx)) {
    throw new NixiError(
      "INVALID_ARGUMENT",
      `this machine is configured by a flake (${nixosDir(ctx)}/flake.nix): channels do not apply`,
      "update the flake inputs and rebuild with `nixi system upgrade`",
    );
  }
}
