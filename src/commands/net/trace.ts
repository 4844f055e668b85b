import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { Hop } from "../../net/trace.js";
import { HostArg, bounded } from "../../net/schemas.js";

interface TraceData {
  host: string;
  tool: "tracepath" | "traceroute";
  hops: Hop[];
  reached: boolean;
}

export const MAX_HOPS = 30;

export default defineCommand<{ host: string; maxHops: number }, TraceData>({
  path: ["net", "trace"],
  summary: "The route to a host, hop by hop (tracepath, or traceroute)",
  description: `Uses tracepath when the node has it, else traceroute; numeric, at most --max-hops hops (at most ${MAX_HOPS}), and bounded in time (about 2 s per hop).`,
  risk: "read",
  args: [{ name: "host", description: "host name or IP address", schema: HostArg }],
  flags: {
    "max-hops": { type: "number", description: `hops to try (1-${MAX_HOPS})`, default: 15, placeholder: "n", schema: bounded("--max-hops", 1, MAX_HOPS) },
  },
  examples: ["nixi net trace 10.0.0.1", "nixi --node web1 net trace db --max-hops 5 --json"],
  jsonFields: ["host", "tool", "hops", "reached"],
  async run(ctx, { host, maxHops }) {
    const { noteLiveHost } = await import("../../net/probe.js");
    const { parseTracepath, parseTraceroute } = await import("../../net/trace.js");
    noteLiveHost(ctx);
    const budget = (maxHops * 2 + 5) * 1000;
    const run = (argv: string[]) => ctx.exec.run(argv, { readOnly: true, timeoutMs: budget, env: { LC_ALL: "C" } });
    let tool: TraceData["tool"] = "tracepath";
    let r = await run(["tracepath", "-n", "-m", String(maxHops), "--", host]);
    if (r.notFound) {
      tool = "traceroute";
      r = await run(["traceroute", "-n", "-q", "1", "-w", "1", "-m", String(maxHops), "--", host]);
      if (r.notFound) throw new NixiError("FAILED", `neither tracepath nor traceroute is installed on ${ctx.node === "local" ? "this machine" : ctx.node}`, "tracepath comes with iputils");
    }
    const parsed = tool === "tracepath" ? parseTracepath(r.stdout) : parseTraceroute(r.stdout, host);
    if (!parsed.hops.length) throw new NixiError("FAILED", `${tool} ${host}: ${r.timedOut ? "timed out" : (r.stderr || r.stdout).trim().split("\n").pop() || `exit ${r.exitCode}`}`);
    if (r.timedOut) ctx.warn(`${tool} stopped after ${budget / 1000} s: the route may be longer than shown`);
    return { host, tool, ...parsed };
  },
  render(d, out) {
    out.table(d.hops, [
      { key: "hop", header: "hop" },
      { key: "address", header: "address", format: (v) => v ?? "*" },
      { key: "rttMs", header: "rtt ms", format: (v) => (v === null ? "" : String(v)) },
    ]);
    out.line(d.reached ? `reached ${d.host}` : `${d.host} not reached within ${d.hops.length} hops`);
  },
});
