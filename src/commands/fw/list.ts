import { defineCommand } from "../../core/command.js";
import type { Ctx } from "../../core/context.js";
import { loadState } from "../../nixos/state.js";
import { readFirewall, type FirewallPorts } from "../../firewall/state.js";
import { liveIsHostNote } from "../../exec/root-guard.js";
import { parseIptablesRules, parseNftRuleset, type LiveRule } from "../../firewall/live.js";


interface PortRow {
  proto: "tcp" | "udp";
  from: number;
  to: number;
  interface: string | null;
  declared: boolean;
  live: boolean;
}

async function liveRules(ctx: Ctx): Promise<{ source: "nft" | "iptables" | null; rules: LiveRule[] }> {
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

export default defineCommand({
  path: ["fw", "list"],
  summary: "List open ports: declared by nixi (state.toml) and live (nft or iptables)",
  risk: "read",
  examples: ["nixi fw list", "nixi fw list --json"],
  jsonFields: ["ports", "declared", "live", "liveSource"],
  async run(ctx) {
    // read the rules while state.toml is parsed
    const live = liveRules(ctx);
    live.catch(() => {});
    const fw = readFirewall(await loadState(ctx));
    const declared: PortRow[] = [];
    const add = (p: FirewallPorts, iface: string | null) => {
      for (const proto of ["tcp", "udp"] as const) for (const r of p[proto]) declared.push({ proto, from: r.from, to: r.to, interface: iface, declared: true, live: false });
    };
    add(fw, null);
    for (const [name, p] of Object.entries(fw.interfaces)) add(p, name);
    const { source, rules } = await live;
    const key = (r: { proto: string; from: number; to: number; interface?: string | null }) => `${r.proto}:${r.from}-${r.to}:${r.interface ?? ""}`;
    const rows = new Map<string, PortRow>();
    for (const d of declared) rows.set(key(d), d);
    for (const l of rules) {
      const row = rows.get(key(l));
      if (row) row.live = true;
      else rows.set(key(l), { proto: l.proto, from: l.from, to: l.to, interface: l.interface ?? null, declared: false, live: true });
    }
    const ports = [...rows.values()].sort((a, b) => a.from - b.from || a.proto.localeCompare(b.proto) || (a.interface ?? "").localeCompare(b.interface ?? ""));
    return {
      ports,
      declared: declared.map(({ live: _l, declared: _d, ...r }) => r),
      live: rules,
      liveSource: source,
    };
  },
  render(data, out) {
    if (!data.ports.length) return out.line("no open ports declared by nixi, and none seen live");
    out.table(data.ports, [
      { key: "from", header: "port", format: (_v, r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`) },
      { key: "proto", header: "proto" },
      { key: "interface", header: "interface", format: (v) => v ?? "all" },
      { key: "declared", header: "declared", format: (v) => (v ? "yes" : "no") },
      { key: "live", header: `live${data.liveSource ? ` (${data.liveSource})` : ""}`, format: (v) => (data.liveSource ? (v ? "yes" : "no") : "?") },
    ]);
  },
});
