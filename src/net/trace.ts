// Hops from tracepath (iputils) or traceroute, numeric (-n).
//   tracepath:  " 1:  10.0.0.1    0.123ms" / " 2:  no reply" / " 1?: [LOCALHOST]  pmtu 1500" / "     Resume: pmtu 1500 hops 2 back 2"
//   traceroute: " 1  10.0.0.1  0.123 ms" / " 2  *"

export interface Hop {
  hop: number;
  address: string | null;
  rttMs: number | null;
}

export function parseTracepath(text: string): { hops: Hop[]; reached: boolean } {
  const hops = new Map<number, Hop>();
  let reached = false;
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\??:\s+(.*)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1]);
    const rest = m[2];
    if (rest.startsWith("[LOCALHOST]")) continue;
    if (/reached/.test(rest)) reached = true;
    const f = rest.trim().split(/\s+/);
    const rtt = /([\d.]+)ms/.exec(rest);
    const hop: Hop = f[0] === "no" ? { hop: n, address: null, rttMs: null } : { hop: n, address: f[0], rttMs: rtt ? Number(rtt[1]) : null };
    const prev = hops.get(n);
    if (!prev || (prev.address === null && hop.address !== null)) hops.set(n, hop);
  }
  return { hops: [...hops.values()].sort((a, b) => a.hop - b.hop), reached };
}

export function parseTraceroute(text: string, target: string): { hops: Hop[]; reached: boolean } {
  const hops: Hop[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/);
    if (f[0] === "*") hops.push({ hop: Number(m[1]), address: null, rttMs: null });
    else hops.push({ hop: Number(m[1]), address: f[0], rttMs: f[1] && /^[\d.]+$/.test(f[1]) ? Number(f[1]) : null });
  }
  const last = hops[hops.length - 1];
  return { hops, reached: !!last && last.address === target };
}
