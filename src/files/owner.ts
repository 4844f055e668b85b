// Owner of what nixi creates under /srv/<name>/: the containers' data owner ([containers] data_owner
// in state.toml, "nixi" by default, root on a machine without a nixi user), as systemd.tmpfiles
// gives the data folders (src/nixos/modules/containers.ts: folders 0750).
import type { Ctx } from "../core/context.js";
import { loadState } from "../nixos/state.js";

export const DATA_DIR_MODE = 0o750;
export const DATA_FILE_MODE = 0o640;

export async function dataOwner(ctx: Ctx): Promise<string> {
  const state = await loadState(ctx);
  const sec = state.containers as { data_owner?: unknown } | undefined;
  const owner = typeof sec?.data_owner === "string" && /^[a-z_][a-z0-9_-]*$/.test(sec.data_owner) ? sec.data_owner : "nixi";
  if (owner === "root") return owner;
  const passwd = (await ctx.exec.readFile("/etc/passwd")) ?? "";
  return passwd.split("\n").some((l) => l.startsWith(`${owner}:`)) ? owner : "root";
}
