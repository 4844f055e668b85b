// `fw list` reads live rules from a real nft ruleset inside a network namespace this test makes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { runBin } from "../helpers/run.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempDir } from "../helpers/tree.js";

const NS = `nixi-fw-${process.pid}`;
const sh = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { input, stdio: ["pipe", "pipe", "pipe"] }).toString();

let available = true;
beforeAll(() => {
  try {
    sh("ip", ["netns", "add", NS]);
  } catch (e: any) {
    available = false;
    throw new Error(`cannot create a network namespace (run as root with iproute2 installed): ${e.message}`);
  }
  // NixOS's nftables firewall shape: an input chain jumping per interface, accepting dports.
  const rules = `
table inet nixos-fw {
  chain input-allow {
    tcp dport { 22, 8080 } accept
    udp dport 60000-61000 accept
    iifname "eth9" tcp dport 9100 accept
    tcp dport 5555 drop
  }
  chain input {
    type filter hook input priority filter; policy drop;
    iifname "lo" accept
    jump input-allow
  }
}
`;
  const file = join(tempDir("nixi-nft-"), "rules.nft");
  writeFileSync(file, rules);
  sh("ip", ["netns", "exec", NS, "nft", "-f", file]);
});

afterAll(() => {
  cleanupRoots();
  if (available) sh("ip", ["netns", "del", NS]);
});

describe("fw list with live nft rules", () => {
  it("reports live rules and marks declared ones", async () => {
    const root = makeRoot();
    expect((await runBin(`fw open 8080 3000 --yes --no-rebuild --root ${root}`)).exitCode).toBe(0);
    const r = await runBin(`fw list --json --root ${root}`, { prefix: ["ip", "netns", "exec", NS] });
    expect(r.exitCode).toBe(0);
    const env = expectEnvelope(r.json);
    expect(env.data.liveSource).toBe("nft");
    const rows = env.data.ports.map((p: any) => `${p.from}-${p.to}/${p.proto}@${p.interface ?? "*"} d=${p.declared} l=${p.live}`);
    expect(rows).toEqual([
      "22-22/tcp@* d=false l=true",
      "3000-3000/tcp@* d=true l=false",
      "8080-8080/tcp@* d=true l=true",
      "9100-9100/tcp@eth9 d=false l=true",
      "60000-61000/udp@* d=false l=true",
    ]);
    // a dropped port is not reported as open
    expect(rows.join()).not.toContain("5555");
  });
});
