// Listener-versus-firewall facts, shared by `security audit` (and later `net listen`): what listens
// (ss -tlnpH), what the live firewall accepts (nft -j list ruleset), and which listeners on a
// wildcard address the firewall exposes. Pure functions over the programs' real output formats.

export interface Listener {
  address: string;
  port: number;
  process?: string;
}

/** `ss -tlnpH` lines: State Recv-Q Send-Q Local:Port Peer:Port [users:(("name",pid=..,fd=..))]. */
export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[0] !== "LISTEN") continue;
    const local = f[3];
    const i = local.lastIndexOf(":");
    const port = Number(local.slice(i + 1));
    if (!Number.isInteger(port)) continue;
    let address = local.slice(0, i).replace(/^\[|\]$/g, "").replace(/%.*$/, "");
    if (address === "*") address = "0.0.0.0";
    const proc = /users:\(\("([^"]+)"/.exec(line)?.[1];
    out.push({ address, port, ...(proc ? { process: proc } : {}) });
  }
  return out;
}

export const isWildcard = (a: string) => a === "0.0.0.0" || a === "::" || a === "*";
export const isLoopback = (a: string) => a.startsWith("127.") || a === "::1" || a === "::ffff:127.0.0.1";

export interface FirewallFacts {
  /** A filter chain on the input hook drops or rejects by default (or NixOS's nixos-fw chain exists). */
  enabled: boolean;
  /** TCP ports the input rules accept for everyone (dport matches with accept). */
  acceptedTcp: number[];
}

/** From `nft -j list ruleset`. */
export function parseNftRuleset(json: string): FirewallFacts {
  const doc = JSON.parse(json);
  const items: any[] = Array.isArray(doc?.nftables) ? doc.nftables : [];
  let enabled = false;
  const accepted = new Set<number>();
  for (const it of items) {
    const c = it.chain;
    if (c && c.hook === "input" && (c.policy === "drop" || c.policy === "reject")) enabled = true;
    if (c && typeof c.name === "string" && c.name === "nixos-fw") enabled = true;
    const r = it.rule;
    if (!r || !Array.isArray(r.expr)) continue;
    if (!r.expr.some((e: any) => e && "accept" in e)) continue;
    for (const e of r.expr) {
      const m = e?.match;
      if (!m || m.op && m.op !== "==" && m.op !== "in") continue;
      if (m.left?.payload?.field !== "dport" || m.left?.payload?.protocol !== "tcp") continue;
      const right = m.right;
      const add = (v: any) => {
        if (typeof v === "number") accepted.add(v);
        else if (v?.range && v.range.length === 2 && v.range[1] - v.range[0] < 1024) for (let p = v.range[0]; p <= v.range[1]; p++) accepted.add(p);
      };
      if (Array.isArray(right?.set)) right.set.forEach(add);
      else add(right);
    }
  }
  return { enabled, acceptedTcp: [...accepted].sort((a, b) => a - b) };
}

/** Listeners on a wildcard address whose port the firewall accepts (reachable from the network),
 *  and accepted ports nothing listens on (stale openings). */
export function crossCheck(listeners: Listener[], fw: FirewallFacts): { exposed: Listener[]; stale: number[] } {
  const wild = listeners.filter((l) => isWildcard(l.address));
  const exposed = fw.enabled ? wild.filter((l) => fw.acceptedTcp.includes(l.port)) : wild;
  const listening = new Set(listeners.filter((l) => !isLoopback(l.address)).map((l) => l.port));
  const stale = fw.acceptedTcp.filter((p) => !listening.has(p));
  return { exposed, stale };
}
