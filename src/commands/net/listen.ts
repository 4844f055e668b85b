import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { ExposedListener } from "../../net/exposure.js";

interface ListenData {
  listeners: ExposedListener[];
  firewallEnabled: boolean;
  liveFirewall: "nft" | "iptables" | null;
}

const VERDICT: Record<string, string> = {
  loopback: "loopback only",
  open: "open",
  "open-on-interface": "open on",
  closed: "closed",
  disabled: "firewall off",
};

export default defineCommand<{ tcp?: boolean; udp?: boolean; exposed?: boolean }, ListenData>({
  path: ["net", "listen"],
  summary: "Listening sockets, and for each whether the firewall exposes it and which container publishes it",
  description:
    "Reads `ss -tulpnH` on the node. For each socket: bound to loopback or not, whether the NixOS firewall lets its port in (declared in state.toml, or seen live in nft/iptables), and whether a container publishes the port (published ports are DNAT rules that bypass the NixOS firewall).",
  risk: "read",
  flags: {
    tcp: { type: "boolean", description: "TCP sockets only" },
    udp: { type: "boolean", description: "UDP sockets only" },
    exposed: { type: "boolean", description: "only sockets the network can reach" },
  },
  examples: ["nixi net listen", "nixi net listen --exposed --json", "nixi --all-nodes net listen --tcp"],
  jsonFields: ["listeners", "firewallEnabled", "liveFirewall"],
  async run(ctx, input) {
    const { noteLiveHost, lastLine } = await import("../../net/probe.js");
    const { parseSs } = await import("../../net/ss.js");
    const { computeExposure } = await import("../../net/exposure.js");
    const { publishedPorts, firewallEnabled } = await import("../../net/declared.js");
    const { liveRules } = await import("../../firewall/live-rules.js");
    const { loadState } = await import("../../nixos/state.js");
    const { readFirewall } = await import("../../firewall/state.js");
    noteLiveHost(ctx);
    // always both protocols: with only one, ss leaves out the Netid column the parser reads.
    // -p names the owning processes only when ss runs as root (not worth a sudo rule).
    const ss = ctx.exec.run(["ss", "-t", "-u", "-l", "-n", "-p", "-H"], { readOnly: true, timeoutMs: 10_000, env: { LC_ALL: "C" } });
    const live = liveRules(ctx);
    live.catch(() => {});
    const state = await loadState(ctx);
    const r = await ss;
    if (r.notFound) throw new NixiError("FAILED", `ss is not installed on ${ctx.node === "local" ? "this machine" : ctx.node}`, "it comes with iproute2");
    if (r.exitCode !== 0) throw new NixiError("FAILED", `ss -tulpnH failed: ${lastLine(r.stderr)}`);
    const { source, rules } = await live;
    const enabled = firewallEnabled(state);
    let listeners = computeExposure({ listeners: parseSs(r.stdout), declared: readFirewall(state), live: source ? rules : null, firewallEnabled: enabled, published: publishedPorts(state) });
    const only = input.tcp && !input.udp ? "tcp" : input.udp && !input.tcp ? "udp" : null;
    if (only) listeners = listeners.filter((l) => l.proto === only);
    if (input.exposed) listeners = listeners.filter((l) => l.exposed);
    return { listeners, firewallEnabled: enabled, liveFirewall: source };
  },
  render(data, out) {
    if (!data.listeners.length) return out.line("no listening sockets");
    out.table(data.listeners, [
      { key: "proto", header: "proto" },
      { key: "address", header: "address" },
      { key: "port", header: "port" },
      { key: "process", header: "process", format: (v, r) => (v ? `${v}${r.pid ? `(${r.pid})` : ""}` : "") },
      { key: "firewall", header: "firewall", format: (v, r) => (v === "open-on-interface" ? `open on ${r.interfaces.join(",")}` : VERDICT[v] ?? v) },
      { key: "publishedBy", header: "published by", format: (v) => (v.length ? v.join(",") : "") },
      { key: "exposed", header: "exposed", format: (v) => (v ? "yes" : "no") },
    ]);
  },
});
