// Shared by `config set` / `config unset`: the OPTION and VALUE arguments and the plain-text secret policy.
import { NixiError } from "../core/errors.js";
import { redact } from "../core/redact.js";
import { formatOptionPath, parseOptionPath } from "../nixos/modules/options.js";
import { isSecretName } from "../core/secret-names.js";

/** VALUE: JSON when it parses as JSON, otherwise the text itself as a string. */
export function parseOptionValue(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const check = (v: unknown, where: string): void => {
    if (v === null) {
      throw new NixiError(
        "INVALID_ARGUMENT",
        `null${where ? ` at ${where}` : ""} cannot be stored in state.toml`,
        "use `nixi config unset OPTION` to go back to the option's default, or pass the string with quotes: '\"null\"'",
      );
    }
    if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)) {
      throw new NixiError("INVALID_ARGUMENT", `${text.length > 40 ? "a number" : text} is too large an integer (more than 2^53)`);
    }
    if (Array.isArray(v)) v.forEach((x, i) => check(x, `${where}[${i}]`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) check(x, where ? `${where}.${k}` : k);
  };
  check(value, "");
  return value;
}

const containsString = (v: unknown): boolean =>
  typeof v === "string" ? v !== "" : Array.isArray(v) ? v.some(containsString) : v !== null && typeof v === "object" ? Object.values(v).some(containsString) : false;

function suggestion(segs: string[]): string {
  const last = segs[segs.length - 1];
  if (segs[0] === "users" && segs[1] === "users" && /password/i.test(last)) {
    return `use ${formatOptionPath([...segs.slice(0, -1), "hashedPasswordFile"])} = "/srv/.credentials/<file>" (a root-only file holding the hash), or \`nixi user password\``;
  }
  return `use a file option instead, e.g. ${formatOptionPath([...segs.slice(0, -1), last + "File"])} = "/srv/.credentials/<file>" (mode 600), if the module has one`;
}

/** Refuse (exit 4) a value that would put a secret into state.toml and the Nix store in plain text. */
export function refuseSecrets(segs: string[], value: unknown): void {
  const option = formatOptionPath(segs);
  const walk = (names: string[], v: unknown) => {
    const last = names[names.length - 1];
    // the option's name says it holds a secret (its value would land in the world-readable Nix store)
    if (isSecretName(last) && containsString(v)) {
      throw new NixiError(
        "INSECURE",
        `refusing to write ${formatOptionPath(names)} in plain text: a secret in state.toml or a .nix file ends up in the world-readable Nix store`,
        suggestion(names),
      );
    }
    if (typeof v === "string") {
      // Looks like a secret whatever the option is called: PEM keys, tokens, password=..., user:pass@ URLs.
      if (redact(v) !== v) {
        throw new NixiError("INSECURE", `refusing to write the value of ${option}: it looks like a secret (key, token or password) in plain text`, suggestion(segs));
      }
    } else if (Array.isArray(v)) v.forEach((x) => walk(names, x));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk([...names, k], x);
  };
  walk(segs, value);
}

export function parseOptionArg(text: string): { segs: string[]; key: string } {
  const segs = parseOptionPath(text);
  return { segs, key: formatOptionPath(segs) };
}
