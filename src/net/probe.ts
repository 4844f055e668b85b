// Running a read-only network program on the node: not found and failures become clear errors.
import type { Ctx } from "../core/context.js";
import type { RunResult } from "../core/executor.js";
import { NixiError } from "../core/errors.js";
import { liveIsHostNote } from "../exec/root-guard.js";

/** Network facts are the running machine's: under --root they are the host's, not DIR's. */
export function noteLiveHost(ctx: Ctx): void {
  const note = liveIsHostNote(ctx, "network facts");
  if (note) ctx.warn(note);
}

export async function probe(ctx: Ctx, argv: string[], timeoutMs: number, pkg: string): Promise<RunResult> {
  const r = await ctx.exec.run(argv, { readOnly: true, timeoutMs, env: { LC_ALL: "C" } });
  if (r.notFound) throw new NixiError("FAILED", `${argv[0]} is not installed on ${ctx.node === "local" ? "this machine" : ctx.node}`, `it comes with ${pkg}`);
  return r;
}

export function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
