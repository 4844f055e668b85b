import { defineCommand } from "../../core/command.js";
import { ContainerName } from "../../containers/validate.js";

export default defineCommand<{ name: string; purge?: boolean }, any>({
  path: ["container", "remove"],
  summary: "Remove a container's declaration; its data under /srv/<name>/ is kept unless --purge",
  description: "With --purge, /srv/<name>/ and /srv/.credentials/<name>.env are deleted after a successful rebuild. Interactively you must type the container's name; in scripts --yes allows it and the result lists exactly what was deleted.",
  risk: "change",
  args: [{ name: "name", description: "container name", schema: ContainerName }],
  flags: { purge: { type: "boolean", description: "also delete /srv/<name>/ and the container's credentials file", hiddenFromAsk: true } },
  examples: ["nixi container remove web", "nixi container remove web --purge", "nixi container remove web --purge --yes --json"],
  jsonFields: ["name", "removed", "purged", "deleted", "kept"],
  async mutate(state, input, ctx) {
    const { applyRemove } = await import("../../containers/mutations.js");
    return applyRemove(state, input, ctx);
  },
});
