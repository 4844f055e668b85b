// Which listening sockets the network can reach: for each listener, whether the NixOS firewall lets
// its port in (declared in state.toml, or seen in the live ruleset) and whether a container publishes
// it. One place for these facts: `net listen` shows them, `security audit` judges them.
import type { FirewallState } from "../firewall/state.js";
import { covers, type PortRange } from "../firewall/ports.js";
import type { LiveRule } from "../firewall/live.js";
import type { Listener } from "./ss.js";
import { isLoopbackAddress } from "./validate.js";

export interface PublishedPort {
  container: string;
  hostIp: string | null;
  hostPort: number;
  containerPort: number;
  proto: "tcp" | "udp";
}

export type FirewallVerdict =
  /** bound to loopback: the network cannot reach it whatever the firewall says */
  | "loopback"
  /** the port is allowed on every interface */
  | "open"
  /** allowed only on some interfaces (see interfaces) */
  | "open-on-interface"
  /** not allowed: the firewall drops it */
  | "closed"
  /** the firewall is off (networking.firewall.enable = false): everything is reachable */
  | "disabled";

export interface ExposedListener extends Listener {
  firewall: FirewallVerdict;
  /** Interfaces the port is allowed on (open-on-interface). */
  interfaces: string[];
  /** Where the opening comes from: state.toml, the live ruleset, or both. */
  openedBy: Array<"state" | "live">;
  /** Containers publishing this host port (published ports are DNAT rules that bypass the NixOS firewall). */
  publishedBy: string[];
  /** Reachable from the network: not loopback, and the firewall lets it in or a container publishes it on a non-loopback address. */
  exposed: boolean;
}

export interface ExposureInput {
  listeners: Listener[];
  declared: FirewallState;
  live: LiveRule[] | null;
  firewallEnabled: boolean;
  published: PublishedPort[];
}

const one = (port: number): PortRange => ({ from: port, to: port });

export function computeExposure(inp: ExposureInput): ExposedListener[] {
  return inp.listeners.map((l) => {
    const p = one(l.port);
    const stateGlobal = covers(inp.declared[l.proto], p);
    const liveGlobal = !!inp.live?.some((r) => r.proto === l.proto && !r.interface && r.from <= l.port && l.port <= r.to);
    const ifaces = new Set<string>();
    for (const [name, ports] of Object.entries(inp.declared.interfaces)) if (covers(ports[l.proto], p)) ifaces.add(name);
    for (const r of inp.live ?? []) if (r.interface && r.proto === l.proto && r.from <= l.port && l.port <= r.to) ifaces.add(r.interface);
    const openedBy: Array<"state" | "live"> = [];
    if (stateGlobal || Object.values(inp.declared.interfaces).some((ports) => covers(ports[l.proto], p))) openedBy.push("state");
    if (inp.live?.some((r) => r.proto === l.proto && r.from <= l.port && l.port <= r.to)) openedBy.push("live");
    const publishers = inp.published.filter((x) => x.proto === l.proto && x.hostPort === l.port);
    const loopback = isLoopbackAddress(l.address);
    let firewall: FirewallVerdict;
    if (loopback) firewall = "loopback";
    else if (!inp.firewallEnabled) firewall = "disabled";
    else if (stateGlobal || liveGlobal) firewall = "open";
    else if (ifaces.size) firewall = "open-on-interface";
    else firewall = "closed";
    const publishedOpenly = publishers.some((x) => !x.hostIp || !isLoopbackAddress(x.hostIp));
    return {
      ...l,
      firewall,
      interfaces: firewall === "open-on-interface" ? [...ifaces].sort() : [],
      openedBy,
      publishedBy: [...new Set(publishers.map((x) => x.container))].sort(),
      exposed: !loopback && (firewall !== "closed" || publishedOpenly),
    };
  });
}
