// `system rebuild --diff` (issue 11 item 4): build the staged configuration first (nixos-rebuild
// build, nothing activated), then `nix store diff-closures` between the running system and the
// build; the plan lists what is added, removed and upgraded before anything is confirmed.
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { tail } from "./transaction.js";

export interface ClosureChange {
  name: string;
  /** Versions before/after ("∅" in nix's output = absent: null here). */
  from: string[] | null;
  to: string[] | null;
  size?: string;
}

/** Lines of `nix store diff-closures` (non-TTY): `name: 1.0 → 1.1, +12.3 KiB`, `name: ∅ → 2.0, ...`, `name: +1 KiB`. */
export function parseDiffClosures(text: string): ClosureChange[] {
  const out: ClosureChange[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "").trim();
    const m = /^([^:\s]+): (.*)$/.exec(line);
    if (!m) continue;
    let rest = m[2];
    const size = /(?:^|, )([+-][0-9.]+ [KMGT]?i?B)$/.exec(rest);
    if (size) rest = rest.slice(0, size.index).trim();
    const vs = rest.split(" → ");
    const list = (s: string) => (s.trim() === "∅" ? null : s.split(", ").map((x) => x.trim()).filter(Boolean));
    const change: ClosureChange = vs.length === 2 ? { name: m[1], from: list(vs[0]), to: list(vs[1]) } : { name: m[1], from: [], to: [] };
    if (size) change.size = size[1];
    out.push(change);
  }
  return out;
}

export function describeChanges(changes: ClosureChange[]): string[] {
  const added = changes.filter((c) => c.from === null);
  const removed = changes.filter((c) => c.to === null);
  const changed = changes.filter((c) => c.from !== null && c.to !== null);
  const v = (l: string[] | null) => (l && l.length ? l.join(", ") : "");
  const lines = [`closure diff: ${added.length} added, ${removed.length} removed, ${changed.length} upgraded or changed`];
  const shown = [
    ...added.map((c) => `  + ${c.name} ${v(c.to)}${c.size ? ` (${c.size})` : ""}`),
    ...removed.map((c) => `  - ${c.name} ${v(c.from)}${c.size ? ` (${c.size})` : ""}`),
    ...changed.map((c) => `  ~ ${c.name}${c.from!.length || c.to!.length ? ` ${v(c.from)} → ${v(c.to)}` : ""}${c.size ? ` (${c.size})` : ""}`),
  ];
  return [...lines, ...shown.slice(0, 40), ...(shown.length > 40 ? [`  ... and ${shown.length - 40} more`] : [])];
}

/** Build what is staged and diff it against the running system. */
export async function closureDiff(ctx: Ctx): Promise<string[]> {
  const { safeApplySettings } = await import("../remote/safe-apply.js");
  const { NIX } = await import("../system/gather.js");
  const dir = posix.join(ctx.config.nixiDir, ".diff");
  const mk = await ctx.exec.batch([{ op: "mkdir", path: dir }], { privileged: true });
  if (!mk[0].ok) throw new NixiError("FAILED", `cannot create ${dir}: ${mk[0].error}`);
  ctx.log("--diff: building the staged configuration (nixos-rebuild build) ...");
  const b = await ctx.exec.run(["nixos-rebuild", "build"], { privileged: true, cwd: dir, timeoutMs: ctx.config.rebuild.timeoutSeconds * 1000 });
  if (b.exitCode !== 0) throw new NixiError("REBUILD_FAILED", `nixos-rebuild build failed (exit ${b.exitCode}); nothing was changed\n${tail(b.stderr || b.stdout, 20)}`);
  const d = await ctx.exec.run([...NIX, "store", "diff-closures", safeApplySettings(ctx).currentSystem, posix.join(dir, "result")], { readOnly: true, timeoutMs: 120_000 });
  if (d.exitCode !== 0) throw new NixiError("FAILED", `nix store diff-closures failed (exit ${d.exitCode}): ${tail(d.stderr, 3)}`);
  return describeChanges(parseDiffClosures(d.stdout));
}
