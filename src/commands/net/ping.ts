import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { PingResult } from "../../net/ping.js";
import { HostArg, bounded } from "../../net/schemas.js";

interface PingData extends PingResult {
  host: string;
  reachable: boolean;
}

export const MAX_COUNT = 20;
export const MAX_TIMEOUT = 10;

export default defineCommand<{ host: string; count: number; timeout: number }, PingData>({
  path: ["net", "ping"],
  summary: "Ping a host from the node: packet loss and round-trip times",
  description: `Sends --count echo requests (at most ${MAX_COUNT}), waiting at most --timeout seconds for each reply (at most ${MAX_TIMEOUT}); the whole probe is bounded by count + timeout seconds. Exit 1 when no reply came back.`,
  risk: "read",
  args: [{ name: "host", description: "host name or IP address", schema: HostArg }],
  flags: {
    count: { type: "number", description: `echo requests to send (1-${MAX_COUNT})`, default: 3, placeholder: "n", schema: bounded("--count", 1, MAX_COUNT) },
    timeout: { type: "number", description: `seconds to wait for each reply (1-${MAX_TIMEOUT})`, default: 2, placeholder: "seconds", schema: bounded("--timeout", 1, MAX_TIMEOUT) },
  },
  examples: ["nixi net ping 10.0.0.1", "nixi --node web1 net ping db --count 5 --json"],
  jsonFields: ["host", "reachable", "transmitted", "received", "lossPercent", "rttMs"],
  async run(ctx, { host, count, timeout }) {
    const { probe, noteLiveHost } = await import("../../net/probe.js");
    const { parsePing } = await import("../../net/ping.js");
    noteLiveHost(ctx);
    // one request a second, then at most --timeout seconds for the last reply
    const r = await probe(ctx, ["ping", "-n", "-c", String(count), "-W", String(timeout), "--", host], (count + timeout + 5) * 1000, "iputils (ping)");
    const parsed = parsePing(r.stdout);
    if (!parsed) {
      const why = (r.stderr || r.stdout).trim().split("\n").pop() || `ping exited ${r.exitCode}`;
      throw new NixiError("FAILED", `ping ${host}: ${r.timedOut ? "timed out" : why}`);
    }
    const data = { host, reachable: parsed.received > 0, ...parsed };
    if (!data.reachable) throw new NixiError("FAILED", `${host} did not answer: ${parsed.transmitted} sent, 0 received (100% loss)`, undefined, { result: data });
    return data;
  },
  render(d, out) {
    out.line(`${d.host}: ${d.received}/${d.transmitted} replies, ${d.lossPercent}% loss${d.rttMs ? `, rtt min/avg/max ${d.rttMs.min}/${d.rttMs.avg}/${d.rttMs.max} ms` : ""}`);
  },
});
