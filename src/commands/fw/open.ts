import { defineCommand } from "../../core/command.js";
import type { PortSpec } from "../../firewall/ports.js";
import { PortSpecArg } from "../../firewall/port-arg.js";
import { openPorts, describeSpecs } from "../../firewall/state.js";
import { InterfaceName } from "../../firewall/interface.js";

export default defineCommand<{ ports: PortSpec[]; interface?: string }>({
  path: ["fw", "open"],
  summary: "Open firewall ports (TCP unless /udp is given)",
  risk: "change",
  args: [{ name: "ports", description: "PORT, PORT/PROTO or FROM-TO/PROTO (PROTO: tcp or udp)", variadic: true, schema: PortSpecArg }],
  flags: { interface: { type: "string", description: "open only on this network interface", placeholder: "if", schema: InterfaceName } },
  examples: ["nixi fw open 8080", "nixi fw open 53/udp 60000-61000/udp --interface eth0", "nixi fw open 443 --dry-run --json"],
  jsonFields: ["opened", "alreadyOpen"],
  mutate(state, { ports, interface: iface }) {
    const added = openPorts(state, ports, iface);
    const already = ports.filter((p) => !added.includes(p));
    return {
      summary: added.length ? [`open ${describeSpecs(added, iface)}`] : [],
      data: { opened: added.map(specJson(iface)), alreadyOpen: already.map(specJson(iface)) },
    };
  },
});

export const specJson = (iface?: string) => (p: PortSpec) => ({ proto: p.proto, from: p.from, to: p.to, ...(iface ? { interface: iface } : {}) });
