// Area "options": NixOS option values set with `nixi config set OPTION VALUE`, written to options.nix.
// state.toml:
//   [options]
//   "services.nginx.enable" = true
//   'services.nginx.virtualHosts."example.org".root' = "/srv/www/data"
// Keys are option paths: identifiers separated by dots; a segment that is not a plain identifier is
// written in double quotes (JSON string syntax). Values are JSON-like (TOML cannot hold null).
import type { Area } from "../areas.js";
import type { NixValue } from "../render.js";
import { NixiError } from "../../core/errors.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** Parse `a.b."c.d".e` into segments; throws INVALID_ARGUMENT naming the bad text. */
export function parseOptionPath(text: string, what = "option path", minParts = 2): string[] {
  const bad = (why: string) =>
    new NixiError(
      "INVALID_ARGUMENT",
      `${JSON.stringify(text)} is not a valid ${what}: ${why}`,
      'write it as dot-separated names, quoting a name that is not a plain identifier: services.nginx.enable, fileSystems."/srv/data".device',
    );
  const segs: string[] = [];
  let i = 0;
  if (text.length === 0) throw bad("it is empty");
  if (text.length > 1000) throw bad("it is too long");
  while (i < text.length) {
    if (text[i] === '"') {
      const m = /^"(?:[^"\\\u0000-\u001f]|\\.)*"/.exec(text.slice(i));
      if (!m) throw bad(`unterminated or invalid quoted name at position ${i + 1}`);
      let seg: string;
      try {
        seg = JSON.parse(m[0]);
      } catch {
        throw bad(`invalid escape in the quoted name ${m[0]}`);
      }
      if (seg === "") throw bad("a quoted name is empty");
      if (/[\u0000-\u001f\u007f]/.test(seg)) throw bad("a name contains a control character");
      segs.push(seg);
      i += m[0].length;
    } else {
      const m = /^[^."]*/.exec(text.slice(i))![0];
      if (!IDENT.test(m)) throw bad(m === "" ? `empty name at position ${i + 1}` : `${JSON.stringify(m)} is not a plain name (quote it if it is meant literally)`);
      segs.push(m);
      i += m.length;
    }
    if (i < text.length) {
      if (text[i] !== ".") throw bad(`expected "." at position ${i + 1}`);
      i++;
      if (i === text.length) throw bad("it ends with a dot");
    }
  }
  if (segs.length < minParts) throw bad("an option path has at least two parts (like networking.hostName)");
  return segs;
}

/** Canonical text of a path (the key used in state.toml). */
export function formatOptionPath(segs: string[]): string {
  return segs.map((s) => (IDENT.test(s) ? s : JSON.stringify(s))).join(".");
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/** state value -> Nix value; TOML dates become strings, null is not representable in TOML. */
function toNix(v: unknown, where: string): NixValue {
  if (typeof v === "string" || typeof v === "boolean" || typeof v === "number") return v;
  if (typeof v === "bigint") {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new NixiError("STATE_INVALID", `state.toml [options] ${where}: integer ${v} is too large`);
    }
    return Number(v);
  }
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x, i) => toNix(x, `${where}[${i}]`));
  if (isPlainObject(v)) {
    const out: Record<string, NixValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toNix(x, `${where}.${k}`);
    return out;
  }
  throw new NixiError("STATE_INVALID", `state.toml [options] ${where}: unsupported value ${String(v)}`);
}

/** Build the nested attribute set. Two entries that set the same path to different values conflict
 *  (sets merge, like NixOS definitions of a submodule). A hand-written unquoted dotted TOML key under
 *  [options] arrives as nested tables and means the same thing. */
export function optionsBody(section: Record<string, unknown>): Record<string, NixValue> {
  const body: Record<string, NixValue> = {};
  const conflict = (path: string) =>
    new NixiError("STATE_INVALID", `state.toml [options]: several entries set ${path}`, "remove one of them (nixi config unset OPTION) or edit state.toml");
  const merge = (target: Record<string, NixValue>, key: string, value: NixValue, path: string) => {
    const cur = target[key];
    if (cur === undefined) target[key] = value;
    else if (isPlainObject(cur) && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) merge(cur as Record<string, NixValue>, k, v as NixValue, `${path}.${formatOptionPath([k])}`);
    } else throw conflict(path);
  };
  for (const key of Object.keys(section).sort()) {
    const value = toNix(section[key], key);
    const segs = parseOptionPath(key, "option path in state.toml [options]", isPlainObject(value) ? 1 : 2);
    let target = body;
    for (const [i, s] of segs.slice(0, -1).entries()) {
      if (target[s] === undefined) target[s] = {};
      else if (!isPlainObject(target[s])) throw conflict(formatOptionPath(segs.slice(0, i + 1)));
      target = target[s] as Record<string, NixValue>;
    }
    merge(target, segs[segs.length - 1], value, formatOptionPath(segs));
  }
  return body;
}

export const optionsArea: Area = {
  key: "options",
  file: "options.nix",
  render(section) {
    if (!isPlainObject(section) || Object.keys(section).length === 0) return null;
    return optionsBody(section);
  },
};
