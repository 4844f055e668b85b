import { defineCommand } from "../../core/command.js";
import { formatOptionPath } from "../../nixos/modules/options.js";
import { parseOptionPath } from "../../nixos/modules/options.js";

interface UnsetData {
  option: string;
  removed: string[];
}

export default defineCommand<{ option: string }, UnsetData>({
  path: ["config", "unset"],
  summary: "Remove an option set with `nixi config set` (the option goes back to its default)",
  description: "Removes OPTION and every option below it that nixi set. An option nixi did not set is left alone (nothing to change).",
  risk: "change",
  args: [{ name: "option", description: "option path, e.g. services.nginx.enable" }],
  examples: ["nixi config unset services.nginx.enable", "nixi config unset services.nginx --dry-run"],
  jsonFields: ["option", "removed"],
  async mutate(state, input, ctx) {
    const segs = parseOptionPath(input.option, "option path", 1);
    const key = formatOptionPath(segs);
    const options: Record<string, unknown> = state.options ?? {};
    const removed: string[] = [];
    for (const other of Object.keys(options)) {
      let otherSegs: string[];
      try {
        otherSegs = parseOptionPath(other, "option path", 1);
      } catch {
        continue;
      }
      if (otherSegs.length >= segs.length && segs.every((s, i) => s === otherSegs[i])) {
        delete options[other];
        removed.push(other);
      }
    }
    if (!removed.length) {
      // say why the path is not there: an old name, or a near miss of what nixi sets
      const { findRename, renameMessage } = await import("../../options/catalog.js");
      const rename = findRename(segs);
      const near = Object.keys(options).filter((k) => k.toLowerCase() === key.toLowerCase() || k.startsWith(formatOptionPath(segs.slice(0, -1)) + "."));
      const why = rename ? ` (${renameMessage(rename, key)})` : near.length ? ` (nixi sets ${near.slice(0, 3).join(", ")})` : "";
      ctx.warn(`${key} is not set by nixi${why} (see \`nixi config show\`): nothing to unset`);
    }
    return {
      summary: removed.map((k) => `unset ${k}`),
      data: { option: key, removed: removed.sort() },
    };
  },
  render(data, out) {
    if (data.removed.length) out.line(`unset ${data.removed.join(", ")}`);
  },
});
