// `ip -j addr show` and `ip -j route show` (iproute2's JSON), reduced to what an administrator reads.

export interface InterfaceRow {
  name: string;
  state: string;
  mtu: number | null;
  mac: string | null;
  addresses: Array<{ family: "inet" | "inet6"; address: string; prefixlen: number; scope: string | null }>;
}

export interface RouteRow {
  family: "inet" | "inet6";
  destination: string;
  gateway: string | null;
  device: string | null;
  protocol: string | null;
  metric: number | null;
  source: string | null;
}

function parseJsonArray(text: string, what: string): any[] {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() || "[]");
  } catch {
    throw new Error(`${what}: output is not JSON`);
  }
  if (!Array.isArray(v)) throw new Error(`${what}: expected a JSON array`);
  return v;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function parseIpAddr(text: string): InterfaceRow[] {
  return parseJsonArray(text, "ip -j addr").map((i) => ({
    name: String(i.ifname ?? ""),
    // operstate UNKNOWN is normal for loopback and many virtual links: show the UP flag then
    state: i.operstate && i.operstate !== "UNKNOWN" ? String(i.operstate).toLowerCase() : Array.isArray(i.flags) && i.flags.includes("UP") ? "up" : "down",
    mtu: num(i.mtu),
    mac: i.link_type === "loopback" ? null : str(i.address),
    addresses: (Array.isArray(i.addr_info) ? i.addr_info : [])
      .filter((a: any) => a && (a.family === "inet" || a.family === "inet6") && typeof a.local === "string")
      .map((a: any) => ({ family: a.family, address: a.local, prefixlen: Number(a.prefixlen), scope: str(a.scope) })),
  }));
}

export function parseIpRoute(text: string, family: "inet" | "inet6"): RouteRow[] {
  return parseJsonArray(text, "ip -j route").map((r) => ({
    family,
    destination: String(r.dst ?? ""),
    gateway: str(r.gateway),
    device: str(r.dev),
    protocol: str(r.protocol),
    metric: num(r.metric),
    source: str(r.prefsrc),
  }));
}
