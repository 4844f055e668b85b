// Hosts, names and ports that net commands pass to probes on a node. Checked before anything runs:
// nothing that starts with "-" (option injection into ping/tracepath/getent), no spaces or shell
// characters, bounded lengths. Pure: no zod here, the command files wrap these in their schemas.
import { isIP } from "node:net";

const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** A DNS name (RFC 1123 labels; "_" allowed for service names), an IPv4 or an IPv6 address. */
export function checkHost(raw: string): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 253) return null;
  const host = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
  if (isIP(host)) return host;
  if (host.includes(":")) return null; // not a valid IPv6 address, and not a name either
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name === "" || !name.split(".").every((l) => LABEL.test(l))) return null;
  // all-numeric dotted words that are not a valid IPv4 address ("300.1.1.1") are typos, not names
  if (/^[\d.]+$/.test(name)) return null;
  return name;
}

export const HOST_HINT = "a host name (db, web.example.org) or an IP address (10.0.0.5, ::1)";

export function checkPort(raw: string): number | null {
  if (!/^\d{1,5}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : null;
}

/** HOST:PORT, [IPv6]:PORT. */
export function parseHostPort(raw: string): { host: string; port: number } | null {
  if (typeof raw !== "string" || raw.length > 300) return null;
  let host: string;
  let port: string;
  if (raw.startsWith("[")) {
    const close = raw.indexOf("]:");
    if (close < 0) return null;
    host = raw.slice(1, close);
    port = raw.slice(close + 2);
    if (isIP(host) !== 6) return null;
  } else {
    const colon = raw.lastIndexOf(":");
    if (colon < 0) return null;
    host = raw.slice(0, colon);
    port = raw.slice(colon + 1);
    if (host.includes(":")) return null; // bare IPv6 needs brackets
  }
  const h = checkHost(host);
  const p = checkPort(port);
  return h !== null && p !== null ? { host: h, port: p } : null;
}

export const isLoopbackAddress = (a: string) => a.startsWith("127.") || a === "::1" || a === "localhost" || a.startsWith("::ffff:127.");
export const isWildcardAddress = (a: string) => a === "0.0.0.0" || a === "::" || a === "*" || a === "[::]";
