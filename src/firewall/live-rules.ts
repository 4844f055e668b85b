// The running firewall's accepted ports: nft's JSON ruleset, else iptables -S. Read-only, shared by
// `fw list` and `net listen`.
import type { Ctx } from "../core/context.js";
import { parseIptablesRules, parseNftRuleset, type LiveRule } from "./live.js";
import { liveIsHostNote } from "../exec/root-guard.js";

export async function liveRules(ctx: Ctx): Promise<{ source: "nft" | "iptables" | null; rules: LiveRule[] }> {
  const r = await ctx.exec.run(["nft", "-j", "list", "ruleset"], { readOnly: true, privileged: true, timeoutMs: 15_000 });
  if (r.notRunUnderRoot) {
    ctx.warn(`live rules not shown: ${r.stderr} (set NIXI_ROOT_EXEC=1 to see the running host's)`);
    return { source: null, rules: [] };
  }
  const hostNote = liveIsHostNote(ctx, "live rules");
  if (hostNote) ctx.warn(hostNote);
  if (r.exitCode === 0) return { source: "nft", rules: parseNftRuleset(r.stdout || '{"nftables":[]}') };
  if (!r.notFound) ctx.warn(`nft -j list ruleset failed: ${r.stderr.trim().split("\n").pop()}`);
  if (await ctx.exec.which("iptables")) {
    const rules: LiveRule[] = [];
    for (const prog of ["iptables", "ip6tables"]) {
      const r = await ctx.exec.run([prog, "-S"], { readOnly: true, privileged: true, timeoutMs: 15_000 });
      if (r.exitCode === 0) rules.push(...parseIptablesRules(r.stdout));
      else if (!r.notFound) ctx.warn(`${prog} -S failed: ${r.stderr.trim().split("\n").pop()}`);
    }
    return { source: "iptables", rules };
  }
  ctx.warn("neither nft nor iptables is available: live rules not shown");
  return { source: null, rules: [] };
}
