import { defineCommand } from "../../core/command.js";
import type { PortSpec } from "../../firewall/ports.js";
import { PortSpecArg } from "../../firewall/port-arg.js";
import { closePorts, describeSpecs } from "../../firewall/state.js";
import { InterfaceName } from "../../firewall/interface.js";
import { specJson } from "./open.js";

export default defineCommand<{ ports: PortSpec[]; interface?: string }>({
  path: ["fw", "close"],
  summary: "Close firewall ports opened with nixi (ranges are split around a closed port)",
  risk: "change",
  args: [{ name: "ports", description: "PORT, PORT/PROTO or FROM-TO/PROTO (PROTO: tcp or udp)", variadic: true, schema: PortSpecArg }],
  flags: { interface: { type: "string", description: "close the per-interface rule on this interface", placeholder: "if", schema: InterfaceName } },
  examples: ["nixi fw close 8080", "nixi fw close 60000-61000/udp --interface eth0"],
  jsonFields: ["closed", "notOpen"],
  mutate(state, { ports, interface: iface }, ctx) {
    const removed = closePorts(state, ports, iface);
    const notOpen = ports.filter((p) => !removed.includes(p));
    if (notOpen.length) ctx.warn(`not opened by nixi: ${describeSpecs(notOpen, iface)} (ports opened in your own Nix files are not changed)`);
    return {
      summary: removed.length ? [`close ${describeSpecs(removed, iface)}`] : [],
      data: { closed: removed.map(specJson(iface)), notOpen: notOpen.map(specJson(iface)) },
    };
  },
});
