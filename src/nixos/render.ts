// State -> Nix source. Pure, deterministic (sorted keys) and injection-proof:
// every string is escaped, odd attribute names are quoted, references are checked.
import { NixiError } from "../core/errors.js";

/** A reference into pkgs (`pkgs.python3Packages.requests`) or a trusted module argument path. */
export class NixRef {
  constructor(readonly base: "pkgs" | "config" | "lib", readonly path: string) {}
}

/** A call of one of a few module-system functions: `(lib.mkForce "no")`. */
export class NixCall {
  constructor(
    readonly fn: (typeof NIX_FUNCTIONS)[number],
    readonly arg: NixValue,
  ) {}
}
/** A fixed Nix expression from nixi's own source code (never built from input): written as is, in parentheses. */
export class NixExpr {
  constructor(readonly source: string) {}
}

export const NIX_FUNCTIONS = ["lib.mkForce", "lib.mkDefault", "lib.mkBefore", "lib.mkAfter"] as const;

export const mkForce = (v: NixValue) => new NixCall("lib.mkForce", v);
export const mkDefault = (v: NixValue) => new NixCall("lib.mkDefault", v);

export type NixValue = string | number | boolean | null | NixRef | NixCall | NixExpr | NixValue[] | { [key: string]: NixValue | undefined };

const IDENT = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
const KEYWORDS = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"]);
/** Package attribute path: identifiers separated by dots, e.g. python3Packages.requests, nodePackages_latest.pnpm */
export const ATTR_PATH = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;

export function pkgRef(path: string): NixRef {
  if (!ATTR_PATH.test(path) || path.split(".").some((p) => KEYWORDS.has(p))) {
    throw new NixiError("INVALID_ARGUMENT", `"${path}" is not a valid package attribute path`, "use a name like htop or python3Packages.requests");
  }
  return new NixRef("pkgs", path);
}

export function nixString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "$" && s[i + 1] === "{") out += "\\$";
    else if (c === "\0") {
      // Nix strings are C strings: a NUL would silently cut the value short.
      throw new NixiError("INVALID_ARGUMENT", `a NUL character (\\0) cannot be written into Nix: ${JSON.stringify(s.slice(0, 40))}`);
    } else if (c >= "\ud800" && c <= "\udfff") {
      // Surrogates must come in pairs; a lone one is not valid UTF-8 and would come back as U+FFFD.
      const pair = c <= "\udbff" && s[i + 1] >= "\udc00" && s[i + 1] <= "\udfff";
      if (!pair) throw new NixiError("INVALID_ARGUMENT", `invalid Unicode (lone surrogate) in ${JSON.stringify(s.slice(0, 40))}`);
      out += c + s[i + 1];
      i++;
    } else out += c; // other control characters (\x01..\x1f, \x7f) are taken literally by Nix
  }
  return out + '"';
}

export function nixAttrName(name: string): string {
  return IDENT.test(name) && !KEYWORDS.has(name) ? name : nixString(name);
}

function nixNumber(n: number): string {
  if (!Number.isFinite(n)) throw new NixiError("INVALID_ARGUMENT", `cannot write ${n} in Nix (not a finite number)`);
  // Nix's lexer rejects subnormal floats ("invalid float '5.0e-324'").
  if (n !== 0 && Math.abs(n) < 2.2250738585072014e-308) throw new NixiError("INVALID_ARGUMENT", `cannot write ${n} in Nix (too small a float)`);
  let s: string;
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
    // Nix integers are 64-bit; print the exact value of the double (String() would give 1e+20 style
    // for big ones). Integral values beyond the int64 range can only be floats in Nix.
    s = BigInt(n).toString();
  } else {
    // Nix float syntax needs a dot in the mantissa: 1.5e-7, 1.0e+300 (shortest round-trip digits).
    s = String(n);
    const [mant, exp] = s.split("e");
    s = (mant.includes(".") ? mant : mant + ".0") + (exp !== undefined ? "e" + exp : "");
  }
  return n < 0 ? `(${s})` : s;
}

export function renderValue(v: NixValue, indent = ""): string {
  if (v === null) return "null";
  if (typeof v === "string") return nixString(v);
  if (typeof v === "number") return nixNumber(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof NixRef) {
    if (!ATTR_PATH.test(v.path) || v.path.split(".").some((p) => KEYWORDS.has(p))) {
      throw new NixiError("INVALID_ARGUMENT", `"${v.path}" is not a valid attribute path`);
    }
    return `${v.base}.${v.path}`;
  }
  if (v instanceof NixExpr) return `(${v.source})`;
  if (v instanceof NixCall) {
    if (!NIX_FUNCTIONS.includes(v.fn)) throw new Error(`not a function nixi writes: ${String(v.fn)}`);
    return `(${v.fn} ${renderValue(v.arg, indent)})`;
  }
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[ ]";
    // Short lists of numbers and plain words stay on one line: [ 80 443 ]
    if (v.every((x) => typeof x === "number" || typeof x === "boolean" || (typeof x === "string" && /^[\w.:/@+-]*$/.test(x)))) {
      const line = `[ ${v.map((x) => renderValue(x)).join(" ")} ]`;
      if (line.length + indent.length <= 80) return line;
    }
    return `[\n${v.map((x) => inner + wrapListItem(renderValue(x, inner))).join("\n")}\n${indent}]`;
  }
  const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
  if (keys.length === 0) return "{ }";
  return `{\n${keys.map((k) => `${inner}${nixAttrName(k)} = ${renderValue(v[k] as NixValue, inner)};`).join("\n")}\n${indent}}`;
}

// Negative numbers and calls are already parenthesised, so list items need no wrapping.
const wrapListItem = (s: string) => s;

export const GENERATED_HEADER = "# Generated by nixi from state.toml. Do not edit: change it with nixi, or edit state.toml and run `nixi system rebuild`.";

/** A NixOS module file: `{ config, lib, pkgs, ... }: { ... }`. */
export function renderModule(body: { [key: string]: NixValue | undefined }, comment?: string): string {
  const lines = [GENERATED_HEADER];
  if (comment) lines.push(...comment.split("\n").map((l) => `# ${l}`));
  lines.push("{ config, lib, pkgs, ... }:", "", renderValue(body), "");
  return lines.join("\n");
}
