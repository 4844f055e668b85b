import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { InterfaceRow } from "../../net/ip.js";

export default defineCommand<Record<string, never>, { interfaces: InterfaceRow[] }>({
  path: ["net", "interfaces"],
  summary: "Network interfaces: state, MTU, MAC and addresses (ip -j addr)",
  risk: "read",
  examples: ["nixi net interfaces", "nixi --node web1 net interfaces --json"],
  jsonFields: ["interfaces"],
  async run(ctx) {
    const { noteLiveHost, probe, lastLine } = await import("../../net/probe.js");
    const { parseIpAddr } = await import("../../net/ip.js");
    noteLiveHost(ctx);
    const r = await probe(ctx, ["ip", "-j", "addr", "show"], 10_000, "iproute2");
    if (r.exitCode !== 0) throw new NixiError("FAILED", `ip -j addr show failed: ${lastLine(r.stderr)}`);
    return { interfaces: parseIpAddr(r.stdout) };
  },
  render(data, out) {
    out.table(
      data.interfaces.map((i) => ({ ...i, addresses: i.addresses.map((a) => `${a.address}/${a.prefixlen}`).join(" ") })),
      [
        { key: "name", header: "interface" },
        { key: "state", header: "state" },
        { key: "mtu", header: "mtu" },
        { key: "mac", header: "mac", format: (v) => v ?? "" },
        { key: "addresses", header: "addresses" },
      ],
    );
  },
});
