// The [firewall] table of state.toml: { tcp, udp, interfaces: { IF: { tcp, udp } } }.
import type { State } from "../nixos/state.js";
import { NixiError } from "../core/errors.js";
import { covers, entriesToRanges, rangesToEntries, subtract, formatSpec, type PortSpec, type PortRange, type Proto } from "./ports.js";

export interface FirewallPorts {
  tcp: PortRange[];
  udp: PortRange[];
}
export interface FirewallState extends FirewallPorts {
  interfaces: Record<string, FirewallPorts>;
}

/** The same rule as --interface (src/firewall/interface.ts). */
/** Linux interface names: at most 15 bytes, no slash or whitespace. */
export const IFNAME = /^[A-Za-z0-9_.@:-]{1,15}$/;

export function readFirewall(state: State): FirewallState {
  const t = state.firewall ?? {};
  try {
    const ifs: Record<string, FirewallPorts> = {};
    for (const [name, v] of Object.entries((t.interfaces ?? {}) as Record<string, any>)) {
      // NixOS writes the name unquoted into the firewall's root shell script (`-i ${iface}`):
      // a hand-edited name must be re-checked like --interface is.
      if (!IFNAME.test(name)) throw new Error(`interface name ${JSON.stringify(name)} is not a network interface name (1-15 letters, digits, . _ - @ :)`);
      ifs[name] = { tcp: entriesToRanges(v?.tcp, `firewall.interfaces.${name}.tcp`), udp: entriesToRanges(v?.udp, `firewall.interfaces.${name}.udp`) };
    }
    return { tcp: entriesToRanges(t.tcp, "firewall.tcp"), udp: entriesToRanges(t.udp, "firewall.udp"), interfaces: ifs };
  } catch (e: any) {
    throw new NixiError("STATE_INVALID", `state.toml [firewall]: ${e.message}`, "fix state.toml by hand");
  }
}

export function writeFirewall(state: State, fw: FirewallState): void {
  const ports = (p: FirewallPorts) => {
    const o: Record<string, unknown> = {};
    if (p.tcp.length) o.tcp = rangesToEntries(p.tcp);
    if (p.udp.length) o.udp = rangesToEntries(p.udp);
    return o;
  };
  const interfaces: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(fw.interfaces)) {
    const o = ports(p);
    if (Object.keys(o).length) interfaces[name] = o;
  }
  const table = { ...ports(fw), ...(Object.keys(interfaces).length ? { interfaces } : {}) };
  if (Object.keys(table).length) state.firewall = table;
  else delete state.firewall;
}

function target(fw: FirewallState, iface: string | undefined): FirewallPorts {
  if (!iface) return fw;
  return (fw.interfaces[iface] ??= { tcp: [], udp: [] });
}

/** Open ports in the state; returns the specs that were not open yet. Shared by `fw open` and container deploys. */
export function openPorts(state: State, specs: PortSpec[], iface?: string): PortSpec[] {
  const fw = readFirewall(state);
  const t = target(fw, iface);
  const added: PortSpec[] = [];
  for (const s of specs) {
    const list = t[s.proto as Proto];
    if (covers(list, s)) continue;
    list.push({ from: s.from, to: s.to });
    added.push(s);
  }
  writeFirewall(state, fw);
  return added;
}

/** Close ports (splitting ranges around them); returns the specs that were (at least partly) open. */
export function closePorts(state: State, specs: PortSpec[], iface?: string): PortSpec[] {
  const fw = readFirewall(state);
  const t = target(fw, iface);
  const removed: PortSpec[] = [];
  for (const s of specs) {
    const list = t[s.proto as Proto];
    const after = subtract(list, s);
    if (JSON.stringify(after) !== JSON.stringify(list)) removed.push(s);
    t[s.proto as Proto] = after;
  }
  writeFirewall(state, fw);
  return removed;
}

export const describeSpecs = (specs: PortSpec[], iface?: string) => specs.map(formatSpec).join(", ") + (iface ? ` on ${iface}` : "");
