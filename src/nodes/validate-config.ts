// The [[nodes]] of config.toml, checked on load with the same schemas as `node adopt`'s flags:
// a newline in a host would spoof `node list`, `port = "22; x"` must not quietly become 22.
// Loaded only when config.toml has nodes (zod stays off the start-up path otherwise).
import { NixiError } from "../core/errors.js";
import { arrayTableKeyLine, at } from "../core/toml-lines.js";
import { NODE_NAME_RE } from "../core/global-options.js";
import { HostName, NodeName, Port, UserName } from "./inventory.js";

const KNOWN = new Set(["name", "host", "user", "port", "mode", "identity", "tags"]);

export function validateConfigNodes(path: string, text: string, nodes: unknown[]): void {
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    const fail = (key: string | undefined, msg: string): never => {
      throw new NixiError("CONFIG_INVALID", `${at(path, arrayTableKeyLine(text, "nodes", i, key))}: nodes[${i}]${key ? `.${key}` : ""}: ${msg}`, "fix the file by hand; nixi did not change it");
    };
    if (!n || typeof n !== "object" || Array.isArray(n)) return fail(undefined, "must be a table");
    const e = n as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!KNOWN.has(k)) fail(k, `unknown key "${k}" (known: ${[...KNOWN].join(", ")})`);
    const check = (key: string, schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, required: boolean) => {
      const v = e[key];
      if (v === undefined) {
        if (required) fail(key, `${key} is required`);
        return;
      }
      if (key !== "port" && typeof v !== "string") fail(key, `must be a string, not ${JSON.stringify(v)}`);
      if (key === "port" && typeof v !== "number") fail(key, `must be a number, not ${JSON.stringify(v)}`);
      const r = schema.safeParse(v);
      if (!r.success) fail(key, `${JSON.stringify(v)}: ${r.error!.issues[0].message}`);
    };
    check("name", NodeName, true);
    check("host", HostName, true);
    check("user", UserName, false);
    check("port", Port, false);
    if (e.mode !== undefined && e.mode !== "managed" && e.mode !== "monitored") fail("mode", `mode must be exactly "managed" or "monitored", not ${JSON.stringify(e.mode)}`);
    if (e.identity !== undefined && (typeof e.identity !== "string" || e.identity === "" || /[\x00-\x1f]/.test(e.identity))) fail("identity", `must be a file path, not ${JSON.stringify(e.identity)}`);
    if (e.tags !== undefined && (!Array.isArray(e.tags) || e.tags.some((t) => typeof t !== "string" || !NODE_NAME_RE.test(t)))) fail("tags", `must be a list of words (letters, digits, _ . -), not ${JSON.stringify(e.tags)}`);
    const name = e.name as string;
    if (seen.has(name)) fail("name", `node "${name}" is listed twice`);
    seen.add(name);
  });
}
