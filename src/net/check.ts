// A TCP connect test run ON the node: bash's /dev/tcp under coreutils' timeout, so it needs nothing
// beyond what every NixOS system has. The script is a constant; host and port arrive as positional
// parameters ($1, $2), never inside the script text, and are validated before.
export const CHECK_SCRIPT = 's=$EPOCHREALTIME; if exec 3<>"/dev/tcp/$1/$2"; then echo "open $s $EPOCHREALTIME"; else echo "closed $s $EPOCHREALTIME"; exit 1; fi';
export const CHECK_ARG0 = "nixi-net-check";

export function checkArgv(host: string, port: number, timeoutSec: number): string[] {
  return ["timeout", "-k", "1", String(timeoutSec), "bash", "-c", CHECK_SCRIPT, CHECK_ARG0, host, String(port)];
}

export type CheckState = "open" | "refused" | "timeout" | "unresolved" | "unreachable" | "error";

export interface CheckResult {
  state: CheckState;
  /** Connect time in milliseconds, measured on the node (open and refused). */
  ms: number | null;
  reason: string | null;
}

export function parseCheck(exitCode: number, stdout: string, stderr: string, timedOut: boolean): CheckResult {
  const m = /^(open|closed) (\d+[.,]\d+) (\d+[.,]\d+)$/m.exec(stdout);
  const ms = m ? Math.round((Number(m[3].replace(",", ".")) - Number(m[2].replace(",", "."))) * 1e6) / 1e3 : null;
  // bash prints "ARG0: connect: REASON" then "ARG0: line 1: /dev/tcp/HOST/PORT: REASON"
  const err = stderr.trim();
  const first = err.split("\n")[0] ?? "";
  // timeout(1) exits 124 when it had to stop the probe, 137 when it had to kill it
  if (timedOut || exitCode === 124 || exitCode === 137) return { state: "timeout", ms: null, reason: "no answer within the timeout (filtered or host down)" };
  if (m?.[1] === "open" && exitCode === 0) return { state: "open", ms, reason: null };
  const reason = first.replace(/^.*: /, "") || `exit ${exitCode}`;
  if (/refused/i.test(err)) return { state: "refused", ms, reason: "nothing listens there, or a firewall rejects" };
  if (/not known|Temporary failure in name resolution|No address associated|invalid host/i.test(err)) return { state: "unresolved", ms: null, reason };
  if (/unreachable|No route/i.test(err)) return { state: "unreachable", ms, reason };
  return { state: "error", ms, reason };
}
