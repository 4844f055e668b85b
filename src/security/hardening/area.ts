// Area "hardening": state.toml [hardening] fixes = ["ssh-password-auth", ...] -> hardening.nix.
// Only ids of src/security/hardening/fixes.ts are accepted (a hand-edited unknown id is refused),
// so every option written is one whose path the tests checked against the NixOS option list.
import type { Area } from "../../nixos/areas.js";
import type { NixValue } from "../../nixos/render.js";
import { NixiError } from "../../core/errors.js";
import { fixById } from "./fixes.js";

export function hardeningBody(section: unknown): Record<string, NixValue> | null {
  const fixes = (section as any)?.fixes;
  if (fixes === undefined) return null;
  if (!Array.isArray(fixes) || fixes.some((x) => typeof x !== "string")) throw new NixiError("STATE_INVALID", "state.toml [hardening]: fixes must be a list of check ids");
  const body: Record<string, any> = {};
  for (const id of [...fixes].sort()) {
    const fix = fixById(id);
    if (!fix) throw new NixiError("STATE_INVALID", `state.toml [hardening]: unknown fix ${JSON.stringify(id)}`, "see `nixi security harden --help` for the ids");
    for (const o of fix.options) {
      let t = body;
      for (const s of o.path.slice(0, -1)) t = t[s] ??= {};
      t[o.path[o.path.length - 1]] = o.value;
    }
  }
  return Object.keys(body).length ? body : null;
}

export const hardeningArea: Area = { key: "hardening", file: "hardening.nix", render: (section) => hardeningBody(section) };
