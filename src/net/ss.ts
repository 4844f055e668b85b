// Listening sockets from `ss -tulpnH` (iproute2): one line per socket,
//   tcp LISTEN 0 128 127.0.0.1:45857 0.0.0.0:* users:(("sshd",pid=9213,fd=4))
// The process column is present only when ss may read the owner (root).

export interface Listener {
  proto: "tcp" | "udp";
  address: string;
  port: number;
  /** Interface from an address such as 0.0.0.0%eth0 or [fe80::1]%eth0. */
  interface: string | null;
  process: string | null;
  pid: number | null;
}

/** Split "ADDR:PORT" as ss prints it: 0.0.0.0:22, [::]:22, *:68, 127.0.0.53%lo:53, [fe80::1]%eth0:546. */
export function splitLocal(s: string): { address: string; port: number; iface: string | null } | null {
  const colon = s.lastIndexOf(":");
  if (colon <= 0) return null;
  const portText = s.slice(colon + 1);
  if (!/^\d+$/.test(portText)) return null;
  let addr = s.slice(0, colon);
  let iface: string | null = null;
  const pct = addr.lastIndexOf("%");
  if (pct > 0) {
    iface = addr.slice(pct + 1);
    addr = addr.slice(0, pct);
  }
  if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.slice(1, -1);
  if (addr === "*") addr = "0.0.0.0";
  return { address: addr, port: Number(portText), iface };
}

export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const proto = f[0];
    if (proto !== "tcp" && proto !== "udp") continue;
    // tcp sockets listen; udp ones are UNCONN (bound). Anything else is a connection.
    if (!(f[1] === "LISTEN" || (proto === "udp" && f[1] === "UNCONN"))) continue;
    const local = splitLocal(f[4]);
    if (!local) continue;
    const users = f.slice(6).join(" ");
    const m = /\(\("([^"]*)",pid=(\d+)/.exec(users);
    const row: Listener = { proto, address: local.address, port: local.port, interface: local.iface, process: m ? m[1] : null, pid: m ? Number(m[2]) : null };
    const key = `${row.proto} ${row.address} ${row.port} ${row.interface} ${row.pid}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(row);
  }
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return out.sort((a, b) => a.port - b.port || cmp(a.proto, b.proto) || cmp(a.address, b.address));
}
