// state.toml is read from disk and may be edited by hand: before any of it is rendered into .nix
// files (and so the world-readable Nix store), the secret checks of `config set` run again —
// the option-name and value checks on [options], the value shapes (private keys, tokens,
// user:password@ URLs, password=...) on every other string. The error names where, never the value.
import { NixiError } from "../core/errors.js";
import { looksLikeSecret } from "../core/redact.js";
import { refuseSecrets } from "../config/option-value.js";
import { parseOptionPath } from "./modules/options.js";
import type { State } from "./state.js";

const HINT = "keep the secret in a root-only file under /srv/.credentials/ and point the option at it (an option ending in File), then run `nixi system rebuild`";

export function refuseSecretsInState(state: State): void {
  const options = state.options;
  if (options && typeof options === "object" && !Array.isArray(options)) {
    for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
      let segs: string[];
      try {
        segs = parseOptionPath(key, "option path in state.toml [options]", 1);
      } catch {
        continue; // reported by the options area itself
      }
      try {
        refuseSecrets(segs, value);
      } catch (e: any) {
        if (e instanceof NixiError) throw new NixiError("INSECURE", `state.toml [options]: ${e.message}`, HINT);
        throw e;
      }
    }
  }
  const walk = (where: string, v: unknown, depth: number): void => {
    if (depth > 64) return;
    if (typeof v === "string") {
      if (looksLikeSecret(v)) throw new NixiError("INSECURE", `state.toml ${where} looks like a secret (a key, token, password or URL credentials) in plain text: it would be written into a .nix file and the Nix store`, HINT);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(`${where}[${i}]`, x, depth + 1));
    else if (v && typeof v === "object" && !(v instanceof Date)) for (const [k, x] of Object.entries(v)) walk(`${where}.${k}`, x, depth + 1);
  };
  for (const [area, section] of Object.entries(state)) if (area !== "options") walk(`[${area}]`, section, 0);
}
