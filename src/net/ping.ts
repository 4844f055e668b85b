// iputils ping's summary:
//   3 packets transmitted, 3 received, 0% packet loss, time 2003ms
//   rtt min/avg/max/mdev = 0.035/0.046/0.055/0.008 ms
// (busybox: "round-trip min/avg/max = ..."; "+1 errors" may sit between received and loss)

export interface PingResult {
  transmitted: number;
  received: number;
  lossPercent: number;
  rttMs: { min: number; avg: number; max: number } | null;
}

export function parsePing(text: string): PingResult | null {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received,(?: \+\d+ errors?,)?(?: \+\d+ duplicates?,)? ([\d.]+)% packet loss/.exec(text);
  if (!m) return null;
  const r = /(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(text);
  return {
    transmitted: Number(m[1]),
    received: Number(m[2]),
    lossPercent: Number(m[3]),
    rttMs: r ? { min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]) } : null,
  };
}
