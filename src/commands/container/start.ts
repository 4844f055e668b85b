import { defineCommand } from "../../core/command.js";
import { ContainerName } from "../../containers/validate.js";

export default defineCommand<{ name: string }, any>({
  path: ["container", "start"],
  summary: "Start a container (through its systemd unit when it has one, else the runtime)",
  risk: "operate",
  args: [{ name: "name", description: "container name", schema: ContainerName }],
  examples: ["nixi container start web", "nixi container start web --node web-server --json"],
  jsonFields: ["name", "action", "via", "unit", "state"],
  async run(ctx, { name }) {
    const { operate } = await import("../../containers/operate.js");
    return operate(ctx, "start", name);
  },
  render(data, out) {
    out.line(`${data.name}: ${data.action} via ${data.via}${data.unit ? " (" + data.unit + ")" : ""}; now ${data.state}`);
  },
});
