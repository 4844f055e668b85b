import { defineCommand } from "../../core/command.js";
import { ContainerName } from "../../containers/validate.js";

export default defineCommand<{ name: string }, any>({
  path: ["container", "restart"],
  summary: "Restart a container (through its systemd unit when it has one, else the runtime)",
  risk: "operate",
  args: [{ name: "name", description: "container name", schema: ContainerName }],
  examples: ["nixi container restart web", "nixi container restart web --node web-server --json"],
  jsonFields: ["name", "action", "via", "unit", "state"],
  async run(ctx, { name }) {
    const { operate } = await import("../../containers/operate.js");
    return operate(ctx, "restart", name);
  },
  render(data, out) {
    out.line(`${data.name}: ${data.action} via ${data.via}${data.unit ? " (" + data.unit + ")" : ""}; now ${data.state}`);
  },
});
