// Port specs ("8080", "53/udp", "60000-61000/udp") and the open-port sets kept in state.toml.
export type Proto = "tcp" | "udp";
export interface PortRange {
  from: number;
  to: number;
}
export interface PortSpec extends PortRange {
  proto: Proto;
}

const SPEC = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?$/i;

export function parsePortSpec(raw: string): PortSpec {
  const m = SPEC.exec(raw.trim());
  if (!m) throw new Error(`not a port: use PORT, PORT/PROTO or FROM-TO/PROTO with PROTO tcp or udp`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  for (const p of [from, to]) if (p < 1 || p > 65535) throw new Error(`port ${p} is outside 1-65535`);
  if (to < from) throw new Error(`range ${from}-${to} is reversed (write ${to}-${from})`);
  return { from, to, proto: (m[3]?.toLowerCase() as Proto) ?? "tcp" };
}

export const formatSpec = (p: PortSpec) => `${p.from === p.to ? p.from : `${p.from}-${p.to}`}/${p.proto}`;

/** In state.toml a port list holds numbers and "FROM-TO" strings. */
export type PortEntry = number | string;

export function entriesToRanges(entries: unknown, where: string): PortRange[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new Error(`${where} must be a list of ports`);
  return entries.map((e) => {
    // most entries are single ports, stored as numbers
    if (typeof e === "number" && Number.isInteger(e) && e >= 1 && e <= 65535) return { from: e, to: e };
    const spec = parsePortSpec(String(e));
    return { from: spec.from, to: spec.to };
  });
}

/** Canonical form: sorted, overlapping/adjacent ranges merged, single ports as numbers. */
export function rangesToEntries(ranges: PortRange[]): PortEntry[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: PortRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    // Merge overlaps, and two ranges that touch; neighbouring single ports stay single.
    const overlaps = last && r.from <= last.to;
    const touching = last && r.from === last.to + 1 && last.from !== last.to && r.from !== r.to;
    if (last && (overlaps || touching)) {
      last.to = Math.max(last.to, r.to);
    } else merged.push({ ...r });
  }
  return merged.map((r) => (r.from === r.to ? r.from : `${r.from}-${r.to}`));
}

export const covers = (ranges: PortRange[], p: PortRange) => {
  // every port of p is inside the union of ranges
  let next = p.from;
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    if (r.from <= next && r.to >= next) next = r.to + 1;
    if (next > p.to) return true;
  }
  return next > p.to;
};

export function subtract(ranges: PortRange[], p: PortRange): PortRange[] {
  const out: PortRange[] = [];
  for (const r of ranges) {
    if (r.to < p.from || r.from > p.to) out.push(r);
    else {
      if (r.from < p.from) out.push({ from: r.from, to: p.from - 1 });
      if (r.to > p.to) out.push({ from: p.to + 1, to: r.to });
    }
  }
  return out;
}
