// `getent ahosts NAME` (glibc's resolver, as every program on the node sees it; NSS order from
// /etc/nsswitch.conf):  "127.0.0.1       STREAM localhost" then DGRAM/RAW lines for the same address.
// resolvectl (systemd-resolved) says which protocol answered: "-- Information acquired via protocol DNS in 1.2ms."

export function parseAhosts(text: string): { addresses: string[]; canonicalName: string | null } {
  const addresses: string[] = [];
  let canonicalName: string | null = null;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || !f[0]) continue;
    if (!addresses.includes(f[0])) addresses.push(f[0]);
    if (canonicalName === null && f[2]) canonicalName = f[2];
  }
  return { addresses, canonicalName };
}

export function parseResolvectl(text: string): { protocol: string | null; link: string | null; ms: number | null } {
  const via = /acquired via protocol ([A-Za-z0-9/-]+)(?: in ([\d.]+)ms)?/.exec(text);
  const link = /-- link: (\S+)/.exec(text);
  return { protocol: via ? via[1] : null, link: link ? link[1] : null, ms: via?.[2] ? Number(via[2]) : null };
}

export function nameservers(resolvConf: string): string[] {
  return resolvConf
    .split("\n")
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((x): x is string => !!x);
}

/** Is NAME in /etc/hosts? (then NSS answers from the file, no DNS server involved) */
export function inHostsFile(hosts: string, name: string): boolean {
  const n = name.toLowerCase();
  return hosts.split("\n").some((l) => {
    const f = l.replace(/#.*/, "").trim().split(/\s+/);
    return f.length > 1 && f.slice(1).some((x) => x.toLowerCase() === n);
  });
}
