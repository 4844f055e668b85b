import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { CheckResult } from "../../net/check.js";
import { HostPortArg, bounded } from "../../net/schemas.js";

interface CheckData extends CheckResult {
  host: string;
  port: number;
}

export const MAX_CHECK_TIMEOUT = 30;

export default defineCommand<{ target: { host: string; port: number }; timeout: number }, CheckData>({
  path: ["net", "check"],
  summary: "Test a TCP connection from the node: open, refused or timed out, and the time",
  description: "Connects from the node itself (bash's /dev/tcp under timeout), so `nixi --all-nodes net check db:5432` tells which nodes can reach the database. Exit 1 when the port is not open.",
  risk: "read",
  args: [{ name: "target", description: "HOST:PORT ([IPv6]:PORT)", schema: HostPortArg }],
  flags: {
    timeout: { type: "number", description: `seconds to wait for the connection (1-${MAX_CHECK_TIMEOUT})`, default: 5, placeholder: "seconds", schema: bounded("--timeout", 1, MAX_CHECK_TIMEOUT) },
  },
  examples: ["nixi net check db:5432", "nixi --all-nodes net check 10.0.0.5:443 --timeout 3 --json"],
  jsonFields: ["host", "port", "state", "ms", "reason"],
  async run(ctx, { target, timeout }) {
    const { probe, noteLiveHost } = await import("../../net/probe.js");
    const { checkArgv, parseCheck } = await import("../../net/check.js");
    noteLiveHost(ctx);
    const r = await probe(ctx, checkArgv(target.host, target.port, timeout), (timeout + 5) * 1000, "bash and coreutils");
    const data = { host: target.host, port: target.port, ...parseCheck(r.exitCode, r.stdout, r.stderr, !!r.timedOut) };
    const shown = target.host.includes(":") ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
    if (data.state !== "open") throw new NixiError("FAILED", `${shown}: ${data.state}${data.reason ? ` (${data.reason})` : ""}`, undefined, { result: data });
    return data;
  },
  render(d, out) {
    out.line(`${d.host.includes(":") ? `[${d.host}]` : d.host}:${d.port} open${d.ms !== null ? ` (${d.ms} ms)` : ""}`);
  },
});
