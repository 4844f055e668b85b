// NixOS option types, read from their description ("list of 16 bit unsigned integer; between 0 and
// 65535 (both inclusive)", 'null or one of "yes", "no"'), and checked against JSON values.
// Descriptions come from the catalog (manual strings, “typographic” quotes) or from evaluation
// (type.description, ASCII quotes); both parse to the same shape.

export type OptionType =
  | { k: "bool" }
  | { k: "int"; min?: number; max?: number; text: string }
  | { k: "float" }
  | { k: "str"; pattern?: string; nonEmpty?: boolean }
  | { k: "path" }
  | { k: "enum"; values: Array<string | number | boolean> }
  | { k: "list"; of: OptionType }
  | { k: "attrs"; of: OptionType }
  | { k: "null"; of: OptionType }
  | { k: "either"; of: OptionType[] }
  | { k: "submodule" }
  | { k: "anything" }
  | { k: "atom" }
  | { k: "unknown"; text: string };

const stripParens = (s: string): string => {
  s = s.trim();
  while (s.startsWith("(") && s.endsWith(")")) {
    let depth = 0;
    let wraps = true;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "(") depth++;
      else if (s[i] === ")") depth--;
      if (depth === 0 && i < s.length - 1) {
        wraps = false;
        break;
      }
    }
    if (!wraps) break;
    s = s.slice(1, -1).trim();
  }
  return s;
};

/** Split on a separator outside parentheses and quotes. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "“" || c === "”") quote = c === "“" ? true : c === "”" ? false : !quote;
    else if (!quote && c === "(") depth++;
    else if (!quote && c === ")") depth--;
    else if (!quote && depth === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function enumValues(list: string): Array<string | number | boolean> | null {
  const out: Array<string | number | boolean> = [];
  const re = /\s*(?:[“"]((?:[^”"\\]|\\.)*)[”"]|(-?\d+(?:\.\d+)?)|(true|false))\s*(?:,|$)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < list.length && (re.lastIndex = pos, (m = re.exec(list)))) {
    out.push(m[1] !== undefined ? m[1] : m[2] !== undefined ? Number(m[2]) : m[3] === "true");
    pos = re.lastIndex;
  }
  return pos >= list.length && out.length ? out : null;
}

const cache = new Map<string, OptionType>();

export function parseType(description: string | null | undefined): OptionType {
  if (description === null || description === undefined) return { k: "unknown", text: "(type not known)" };
  let t = cache.get(description);
  if (!t) cache.set(description, (t = parse(description)));
  return t;
}

function parse(text: string): OptionType {
  const s = stripParens(text);
  const enumM = /^one of (.*)$/.exec(s);
  if (enumM) {
    const v = enumValues(enumM[1]);
    if (v) return { k: "enum", values: v };
  }
  const single = /^value [“"]((?:[^”"\\]|\\.)*)[”"] \(singular enum\)$/.exec(s);
  if (single) return { k: "enum", values: [single[1]] };
  if (/^(?:string|path),|^printable string/.test(s) && !splitTop(s, " or ").slice(1).some((a) => /^(?:null|list|attribute|signed|boolean|path|package)\b/.test(a.trim()))) {
    if (/^(?:string|printable string)/.test(s)) return { k: "str" };
  }
  const coerced = /^(.*) convertible to it$/.exec(s);
  if (coerced) return parse(coerced[1]);
  const alts = splitTop(s, " or ");
  if (alts.length > 1) {
    if (alts[0].trim() === "null") {
      const rest = alts.slice(1).join(" or ");
      return { k: "null", of: parse(rest) };
    }
    return { k: "either", of: alts.map(parse) };
  }
  // atoms and free-form values (their descriptions list types in parentheses)
  if (/^(?:(?:Nix config|INI|JSON|YAML|TOML)\s+)?atom\s*\(/i.test(s) || /^INI atom/.test(s) || s === "sysctl option value" || s === "systemd option") return { k: "atom" };
  if (/^(?:JSON|YAML|TOML|INI|Nix config|KDL|Lua|HCL|Elixir|Python|PHP|XML)[\w\s]* value\b/i.test(s) || s === "anything" || s === "unspecified value" || s === "raw value" || /^section of an INI file/.test(s)) return { k: "anything" };
  let m: RegExpExecArray | null;
  if ((m = /^non-empty (.*)$/.exec(s)) && /^\(?list of/.test(m[1])) return parse(m[1]);
  if ((m = /^list of (.*)$/.exec(s))) return { k: "list", of: parse(m[1]) };
  if ((m = /^(?:lazy )?attribute set of (.*)$/.exec(s))) return { k: "attrs", of: parse(m[1]) };
  if (s === "attribute set" || s === "lazy attribute set") return { k: "attrs", of: { k: "anything" } };
  if (s === "boolean") return { k: "bool" };
  if (s === "floating point number" || s === "float" || /^nonnegative floating point number/.test(s)) return { k: "float" };
  if (s === "nonnegative integer") return { k: "int", min: 0, text: s };
  if (s === "number" || s === "integer or floating point number") return { k: "either", of: [{ k: "int", text: s }, { k: "float" }] };
  if ((m = /^(?:(\d+) bit )?(signed|unsigned|positive)? ?integer(?:[;,] (?:meaning [<>]=?0|between (-?\d+) and (-?\d+) \(both inclusive\)))?$/.exec(s))) {
    let min: number | undefined;
    let max: number | undefined;
    if (m[3] !== undefined) [min, max] = [Number(m[3]), Number(m[4])];
    else if (m[2] === "unsigned") min = 0;
    else if (m[2] === "positive") min = 1;
    if (m[1] && m[3] === undefined) {
      const bits = Number(m[1]);
      if (m[2] === "unsigned") max = 2 ** bits - 1;
      else [min, max] = [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
    }
    return { k: "int", min, max, text: s };
  }
  if ((m = /^integer between (-?\d+) and (-?\d+) \(both inclusive\)$/.exec(s))) return { k: "int", min: Number(m[1]), max: Number(m[2]), text: s };
  if ((m = /^string matching the pattern (.*)$/.exec(s))) return { k: "str", pattern: m[1] };
  if (/^non-empty string/.test(s) || /^string \(with check: non-empty\)$/.test(s)) return { k: "str", nonEmpty: true };
  if (/^(?:string|strings concatenated with|\(optionally newline-terminated\) single-line string|single-line string|separated string|comma-separated string|string without spaces|Concatenated string)/i.test(s)) return { k: "str" };
  if (s === "path" || s === "absolute path" || s === "path in the Nix store" || s === "string or path") return { k: "path" };
  if (s === "submodule" || /^open submodule/.test(s)) return { k: "submodule" };
  return { k: "unknown", text: s };
}

/** Does the type accept some string (so a bare word or 24.11 given on the command line stays text)? */
export function acceptsString(t: OptionType): boolean {
  switch (t.k) {
    case "str":
    case "path":
    case "anything":
    case "atom":
      return true;
    case "enum":
      return t.values.some((v) => typeof v === "string");
    case "null":
      return acceptsString(t.of);
    case "either":
      return t.of.some(acceptsString);
    default:
      return false;
  }
}

export type CheckResult = { ok: true } | { ok: false; why: string } | { ok: "unknown"; text: string };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
};
const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an attribute set" : typeof v === "string" ? "a string" : typeof v === "number" ? (Number.isInteger(v) ? "an integer" : "a float") : `a ${typeof v}`);

/** A short, plain name for the type in error messages. */
export function typeName(t: OptionType): string {
  switch (t.k) {
    case "bool":
      return "boolean (true or false)";
    case "int":
      return t.min === 0 && t.max === 65535 ? "port (integer 0-65535)" : `integer${t.min !== undefined && t.max !== undefined ? ` between ${t.min} and ${t.max}` : t.min !== undefined ? ` >= ${t.min}` : ""}`;
    case "float":
      return "float";
    case "str":
      return t.pattern ? `string matching ${t.pattern}` : t.nonEmpty ? "non-empty string" : "string";
    case "path":
      return "path";
    case "enum":
      return `one of ${t.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "list":
      return `list of ${typeName(t.of)}`;
    case "attrs":
      return `attribute set of ${typeName(t.of)}`;
    case "null":
      return `null or ${typeName(t.of)}`;
    case "either":
      return t.of.map(typeName).join(" or ");
    case "submodule":
      return "submodule (attribute set)";
    case "anything":
      return "any value";
    case "atom":
      return "boolean, number or string";
    case "unknown":
      return t.text;
  }
}

/** Check a JSON value against a type. `where` names the place in the value for messages. */
export function checkValue(t: OptionType, v: unknown, where = ""): CheckResult {
  // no "name: value" shapes in messages: redaction would take a secret-looking name's value for a secret
  const bad = (why: string): CheckResult => ({ ok: false, why: `${where ? `at ${where}, ` : ""}${why}` });
  const expect = () => bad(`${show(v)} is ${kindOf(v)}, expected ${typeName(t)}`);
  switch (t.k) {
    case "bool":
      if (typeof v === "string" && /^(yes|no|on|off|true|false)$/i.test(v)) return bad(`${show(v)} is a string, expected a boolean: write true or false (without quotes)`);
      return typeof v === "boolean" ? { ok: true } : expect();
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) return expect();
      if ((t.min !== undefined && v < t.min) || (t.max !== undefined && v > t.max)) return bad(`${v} is out of range, expected ${typeName(t)}`);
      return { ok: true };
    case "float":
      return typeof v === "number" ? { ok: true } : expect();
    case "str":
      if (typeof v !== "string") return expect();
      if (t.nonEmpty && v.trim() === "") return bad("the string is empty, expected a non-empty string");
      if (t.pattern) {
        let re: RegExp | null = null;
        try {
          re = new RegExp(`^(?:${t.pattern.replace(/\[\[:alnum:\]\]/g, "[A-Za-z0-9]").replace(/\[:alnum:\]/g, "A-Za-z0-9").replace(/\[:digit:\]/g, "0-9").replace(/\[:space:\]/g, "\\s")})$`, "u");
        } catch {
          re = null; // a POSIX pattern JavaScript cannot read: the evaluation decides
        }
        if (re && !re.test(v)) return bad(`${show(v)} does not match the pattern ${t.pattern}`);
      }
      return { ok: true };
    case "path":
      return typeof v === "string" && v.startsWith("/") ? { ok: true } : typeof v === "string" ? bad(`${show(v)} is not an absolute path`) : expect();
    case "enum":
      return t.values.some((x) => x === v) ? { ok: true } : bad(`${show(v)} is not one of ${t.values.map((x) => JSON.stringify(x)).join(", ")}`);
    case "list":
      if (!Array.isArray(v)) return bad(`${show(v)} is ${kindOf(v)}, expected ${typeName(t)}${checkValue(t.of, v).ok === true ? ` (write it as a list: ${show([v])})` : ""}`);
      return all(v.map((x, i) => checkValue(t.of, x, `${where}[${i}]`)));
    case "attrs":
      if (!isObj(v)) return expect();
      return all(Object.entries(v).map(([k, x]) => checkValue(t.of, x, where ? `${where}.${k}` : k)));
    case "null":
      return v === null ? { ok: true } : checkValue(t.of, v, where);
    case "either": {
      const rs = t.of.map((x) => checkValue(x, v, where));
      if (rs.some((r) => r.ok === true)) return { ok: true };
      const unk = rs.find((r) => r.ok === "unknown");
      return unk ?? expect();
    }
    case "submodule":
      return isObj(v) ? { ok: "unknown", text: "submodule" } : expect();
    case "anything":
      return { ok: true };
    case "atom":
      return v === null || ["boolean", "number", "string"].includes(typeof v) ? { ok: true } : expect();
    case "unknown":
      return { ok: "unknown", text: t.text };
  }
}

function all(rs: CheckResult[]): CheckResult {
  return rs.find((r) => r.ok === false) ?? rs.find((r) => r.ok === "unknown") ?? { ok: true };
}
