// Live firewall rules: accepted destination ports from `nft -j list ruleset`, or `iptables -S`.
import type { Proto } from "./ports.js";

export interface LiveRule {
  proto: Proto;
  from: number;
  to: number;
  interface?: string;
  /** Where it was seen: "inet filter input" or the iptables chain. */
  chain: string;
}

type Right = number | string | { range: [number, number] } | { set: Right[] } | Right[];

function portsOf(right: Right): Array<[number, number]> {
  if (typeof right === "number") return [[right, right]];
  if (typeof right === "string") return /^\d+$/.test(right) ? [[Number(right), Number(right)]] : [];
  if (Array.isArray(right)) return right.flatMap(portsOf);
  if ("range" in right) return [[Number(right.range[0]), Number(right.range[1])]];
  if ("set" in right) return right.set.flatMap(portsOf);
  return [];
}

/** Parse nft's JSON ruleset: rules matching `tcp|udp dport ...` whose verdict accepts (or jumps to an accept chain). */
export function parseNftRuleset(json: string): LiveRule[] {
  const doc = JSON.parse(json) as { nftables?: any[] };
  const rules: LiveRule[] = [];
  for (const item of doc.nftables ?? []) {
    const rule = item.rule;
    if (!rule || !Array.isArray(rule.expr)) continue;
    let iface: string | undefined;
    let proto: Proto | undefined;
    let ports: Array<[number, number]> = [];
    let accepts = false;
    for (const e of rule.expr) {
      const m = e.match;
      if (m && (m.op === "==" || m.op === "in")) {
        const left = m.left ?? {};
        if (left.meta && (left.meta.key === "iifname" || left.meta.key === "iif") && typeof m.right === "string") iface = m.right;
        if (left.payload && left.payload.field === "dport" && (left.payload.protocol === "tcp" || left.payload.protocol === "udp")) {
          proto = left.payload.protocol;
          ports = portsOf(m.right);
        }
        if (left.meta && left.meta.key === "l4proto" && (m.right === "tcp" || m.right === "udp")) proto ??= m.right;
        if (left.payload && left.payload.field === "dport" && left.payload.protocol === "th") ports = portsOf(m.right);
      }
      if ("accept" in e) accepts = true;
      if (e.jump?.target && /accept/i.test(e.jump.target)) accepts = true;
      if (e.goto?.target && /accept/i.test(e.goto.target)) accepts = true;
    }
    if (!accepts || !proto || ports.length === 0) continue;
    for (const [from, to] of ports) rules.push({ proto, from, to, ...(iface ? { interface: iface } : {}), chain: `${rule.family} ${rule.table} ${rule.chain}` });
  }
  return rules;
}

/** Parse `iptables -S` / `ip6tables -S` output. */
export function parseIptablesRules(text: string): LiveRule[] {
  const rules: LiveRule[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("-A ")) continue;
    const words = line.trim().split(/\s+/);
    const chain = words[1];
    const get = (flag: string) => {
      const i = words.indexOf(flag);
      return i >= 0 ? words[i + 1] : undefined;
    };
    const proto = get("-p");
    const target = get("-j");
    const dport = get("--dport") ?? get("--dports");
    if ((proto !== "tcp" && proto !== "udp") || !dport || !target || !/ACCEPT|accept/.test(target)) continue;
    const iface = get("-i");
    for (const part of dport.split(",")) {
      const [a, b] = part.split(":").map(Number);
      if (!Number.isInteger(a)) continue;
      rules.push({ proto, from: a, to: Number.isInteger(b) ? b : a, ...(iface ? { interface: iface } : {}), chain });
    }
  }
  return rules;
}
