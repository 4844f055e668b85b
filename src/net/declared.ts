// What state.toml declares that decides exposure: the firewall switch and the containers' published ports.
import type { State } from "../nixos/state.js";
import { declared } from "../containers/state.js";
import { parsePort } from "../containers/validate.js";
import type { PublishedPort } from "./exposure.js";

/** networking.firewall.enable set through `nixi config set` (true unless set to false). */
export function firewallEnabled(state: State): boolean {
  const opts = state.options;
  return !(opts && typeof opts === "object" && opts["networking.firewall.enable"] === false);
}

export function publishedPorts(state: State): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [name, c] of Object.entries(declared(state))) {
    for (const spec of Array.isArray(c.ports) ? c.ports : []) {
      const p = parsePort(String(spec));
      if (p) out.push({ container: name, hostIp: p.hostIp ?? null, hostPort: p.hostPort, containerPort: p.containerPort, proto: p.proto });
    }
  }
  return out;
}
