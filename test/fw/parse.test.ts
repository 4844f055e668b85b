// Live-rule parsers on real output shapes (nft -j of a NixOS nftables firewall; iptables -S of
// the NixOS iptables firewall, whose accepted ports jump to nixos-fw-accept).
import { describe, expect, it } from "vitest";
import { parseIptablesRules, parseNftRuleset } from "../../src/firewall/live.js";
import { parsePortSpec } from "../../src/firewall/ports.js";

describe("parseIptablesRules", () => {
  it("reads NixOS iptables firewall rules", () => {
    const text = [
      "-P INPUT ACCEPT",
      "-N nixos-fw",
      "-N nixos-fw-accept",
      "-A INPUT -j nixos-fw",
      "-A nixos-fw -i lo -j nixos-fw-accept",
      "-A nixos-fw -m conntrack --ctstate RELATED,ESTABLISHED -j nixos-fw-accept",
      "-A nixos-fw -p tcp -m tcp --dport 22 -j nixos-fw-accept",
      "-A nixos-fw -p udp -m udp --dport 60000:61000 -j nixos-fw-accept",
      "-A nixos-fw -i eth0 -p tcp -m tcp --dport 9100 -j nixos-fw-accept",
      "-A nixos-fw -p tcp -m multiport --dports 80,443 -j ACCEPT",
      "-A nixos-fw -p tcp -m tcp --dport 5555 -j DROP",
      "-A nixos-fw-accept -j ACCEPT",
    ].join("\n");
    expect(parseIptablesRules(text).map((r) => `${r.from}-${r.to}/${r.proto}@${r.interface ?? "*"}`)).toEqual([
      "22-22/tcp@*",
      "60000-61000/udp@*",
      "9100-9100/tcp@eth0",
      "80-80/tcp@*",
      "443-443/tcp@*",
    ]);
  });
});

describe("parseNftRuleset", () => {
  it("reads sets, ranges and interface matches", () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: "1.0.6", release_name: "Lester Gooch #5", json_schema_version: 1 } },
        { table: { family: "inet", name: "nixos-fw", handle: 1 } },
        { rule: { family: "inet", table: "nixos-fw", chain: "input-allow", handle: 5, expr: [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: { set: [22, 80, { range: [8000, 8100] }] } } }, { accept: null }] } },
        { rule: { family: "inet", table: "nixos-fw", chain: "input-allow", handle: 6, expr: [{ match: { op: "==", left: { meta: { key: "iifname" } }, right: "wg0" } }, { match: { op: "==", left: { payload: { protocol: "udp", field: "dport" } }, right: 51820 } }, { accept: null }] } },
        { rule: { family: "inet", table: "nixos-fw", chain: "input-allow", handle: 7, expr: [{ match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 23 } }, { drop: null }] } },
      ],
    });
    expect(parseNftRuleset(json).map((r) => `${r.from}-${r.to}/${r.proto}@${r.interface ?? "*"}`)).toEqual(["22-22/tcp@*", "80-80/tcp@*", "8000-8100/tcp@*", "51820-51820/udp@wg0"]);
  });
});

describe("parsePortSpec", () => {
  it("parses the accepted forms", () => {
    expect(parsePortSpec("8080")).toEqual({ from: 8080, to: 8080, proto: "tcp" });
    expect(parsePortSpec("53/UDP")).toEqual({ from: 53, to: 53, proto: "udp" });
    expect(parsePortSpec("1-65535/tcp")).toEqual({ from: 1, to: 65535, proto: "tcp" });
  });
});
