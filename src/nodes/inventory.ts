// Editing the [[nodes]] inventory in config.toml while keeping everything else in the file as the
// person wrote it (comments, order, other tables): a node is appended as a new [[nodes]] block or its
// block is cut out; the result is parsed with smol-toml and checked before it is written atomically.
import { z } from "zod";
import type { NodeEntry } from "../core/config.js";
import { NODE_NAME_RE } from "../core/global-options.js";
import { namedExports } from "../core/lazy-import.js";

export { readLocalText as readText, writeLocalText as writeText } from "../core/local-files.js";

export const NodeName = z
  .string()
  .regex(NODE_NAME_RE, "a node name is letters, digits, _ . - (up to 63), starting with a letter or digit")
  .refine((s) => s !== "local", "\"local\" is the controller's own name");

// A DNS name, IPv4 or IPv6 address: nothing that ssh or a shell could read as an option or syntax.
export const HostName = z
  .string()
  .regex(/^(?!-)[A-Za-z0-9.:%_-]{1,253}$/, "a host is a DNS name or an IP address")
  .refine((s) => !s.startsWith("-"), "a host cannot start with -");

export const UserName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}\$?$/, "a user name is lower-case letters, digits, _ and -");

export const Port = z.coerce.number().int().min(1, "port must be 1-65535").max(65535, "port must be 1-65535");

async function loadToml() {
  return namedExports(import("smol-toml"));
}

/** The TOML block for one node. */
export async function nodeBlock(n: NodeEntry): Promise<string> {
  const { stringify } = await loadToml();
  const entry: Record<string, unknown> = { name: n.name, host: n.host, user: n.user, port: n.port, mode: n.mode };
  if (n.identity) entry.identity = n.identity;
  if (n.tags?.length) entry.tags = n.tags;
  return "[[nodes]]\n" + stringify(entry).trimEnd() + "\n";
}

function nodesOf(raw: Record<string, unknown>): any[] {
  return Array.isArray(raw.nodes) ? (raw.nodes as any[]) : [];
}

/** config.toml text with the node appended. */
export async function addNode(text: string | null, n: NodeEntry): Promise<string> {
  const { parse, stringify } = await loadToml();
  const before = text ?? "";
  const raw = before.trim() === "" ? {} : (parse(before) as Record<string, unknown>);
  const block = await nodeBlock(n);
  const sep = before === "" ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const appended = before + sep + block;
  try {
    const check = parse(appended) as Record<string, unknown>;
    if (nodesOf(check).length === nodesOf(raw).length + 1 && nodesOf(check).at(-1)?.name === n.name) return appended;
  } catch {
    /* e.g. `nodes = [...]` written inline: fall back below */
  }
  const next = { ...raw, nodes: [...nodesOf(raw), (parse(block) as any).nodes[0]] };
  return stringify(next) + "\n";
}

/** config.toml text without the node's [[nodes]] block. */
export async function removeNode(text: string, name: string): Promise<string> {
  const { parse, stringify } = await loadToml();
  const raw = parse(text) as Record<string, unknown>;
  const want = nodesOf(raw).filter((n) => n?.name !== name);
  // Cut out the block: from its [[nodes]] header to the next table header.
  const lines = text.split("\n");
  const header = (l: string) => /^\s*\[/.test(l);
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (/^\s*\[\[\s*nodes\s*\]\]\s*(#.*)?$/.test(lines[i])) {
      let j = i + 1;
      while (j < lines.length && !header(lines[j])) j++;
      const block = lines.slice(i, j).join("\n");
      let blockName: unknown;
      try {
        blockName = (parse(block.replace(/^\s*\[\[\s*nodes\s*\]\]/, "[[nodes]]")) as any).nodes?.[0]?.name;
      } catch {
        blockName = undefined;
      }
      if (blockName === name) {
        // drop the block and the blank lines that separated it from what follows
        while (out.length && out[out.length - 1].trim() === "" && j < lines.length && lines[j].trim() === "") out.pop();
        i = j;
        continue;
      }
      out.push(...lines.slice(i, j));
      i = j;
      continue;
    }
    out.push(lines[i]);
    i++;
  }
  const cut = out.join("\n");
  try {
    const check = parse(cut) as Record<string, unknown>;
    if (JSON.stringify(nodesOf(check)) === JSON.stringify(want)) return cut;
  } catch {
    /* fall through */
  }
  return stringify({ ...raw, nodes: want }) + "\n";
}
