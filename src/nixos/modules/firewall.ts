// firewall.nix: networking.firewall.allowed{TCP,UDP}Port{s,Ranges}, globally and per interface.
import type { Area } from "../areas.js";
import type { NixValue } from "../render.js";
import { readFirewall, type FirewallPorts } from "../../firewall/state.js";

function portOptions(p: FirewallPorts): Record<string, NixValue> {
  const o: Record<string, NixValue> = {};
  const singles = (l: FirewallPorts["tcp"]) => l.filter((r) => r.from === r.to).map((r) => r.from).sort((a, b) => a - b);
  const ranges = (l: FirewallPorts["tcp"]) => l.filter((r) => r.from !== r.to).sort((a, b) => a.from - b.from).map((r) => ({ from: r.from, to: r.to }));
  if (singles(p.tcp).length) o.allowedTCPPorts = singles(p.tcp);
  if (ranges(p.tcp).length) o.allowedTCPPortRanges = ranges(p.tcp);
  if (singles(p.udp).length) o.allowedUDPPorts = singles(p.udp);
  if (ranges(p.udp).length) o.allowedUDPPortRanges = ranges(p.udp);
  return o;
}

export const firewallArea: Area = {
  key: "firewall",
  file: "firewall.nix",
  render(_section, state) {
    const fw = readFirewall(state);
    const body: Record<string, NixValue> = portOptions(fw);
    const ifs: Record<string, NixValue> = {};
    for (const [name, p] of Object.entries(fw.interfaces)) {
      const o = portOptions(p);
      if (Object.keys(o).length) ifs[name] = o;
    }
    if (Object.keys(ifs).length) body.interfaces = ifs;
    if (!Object.keys(body).length) return null;
    return { networking: { firewall: body } };
  },
};
