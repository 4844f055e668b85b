import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { RouteRow } from "../../net/ip.js";

export default defineCommand<Record<string, never>, { routes: RouteRow[] }>({
  path: ["net", "routes"],
  summary: "The routing table, IPv4 and IPv6 (ip -j route)",
  risk: "read",
  examples: ["nixi net routes", "nixi --all-nodes net routes --json"],
  jsonFields: ["routes"],
  async run(ctx) {
    const { noteLiveHost, probe, lastLine } = await import("../../net/probe.js");
    const { parseIpRoute } = await import("../../net/ip.js");
    noteLiveHost(ctx);
    const routes: RouteRow[] = [];
    for (const [flag, family] of [["-4", "inet"], ["-6", "inet6"]] as const) {
      const r = await probe(ctx, ["ip", "-j", flag, "route", "show"], 10_000, "iproute2");
      // a kernel without IPv6 answers -6 with an error: that family just has no routes
      if (r.exitCode !== 0) {
        if (family === "inet") throw new NixiError("FAILED", `ip -j -4 route show failed: ${lastLine(r.stderr)}`);
        ctx.debug(`ip -j -6 route show failed: ${lastLine(r.stderr)}`);
        continue;
      }
      routes.push(...parseIpRoute(r.stdout, family));
    }
    return { routes };
  },
  render(data, out) {
    out.table(data.routes, [
      { key: "destination", header: "destination" },
      { key: "gateway", header: "via", format: (v) => v ?? "" },
      { key: "device", header: "dev", format: (v) => v ?? "" },
      { key: "protocol", header: "proto", format: (v) => v ?? "" },
      { key: "metric", header: "metric", format: (v) => (v === null ? "" : String(v)) },
      { key: "source", header: "src", format: (v) => v ?? "" },
    ]);
  },
});
