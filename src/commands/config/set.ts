import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { formatOptionPath } from "../../nixos/modules/options.js";
import { parseOptionArg, parseOptionValue, refuseSecrets } from "../../config/option-value.js";

interface SetData {
  option: string;
  value: unknown;
  previous: unknown;
  /** How the option and value were checked: catalog, machine (evaluation), or forced (unverified). */
  verified: "catalog" | "machine" | "forced";
  /** The option's type, where known. */
  type: string | null;
  /** The evaluation of the new configuration before writing (filled in by the transaction). */
  evaluation: { evaluated: boolean; seconds?: number; skipped?: string } | null;
}

// Options a dedicated nixi command manages: setting them here works (lists merge) but is rarely what is meant.
const DEDICATED: Array<[RegExp, string]> = [
  [/^networking\.firewall\.(allowed|interfaces\.)/, "nixi fw open / nixi fw close"],
  [/^environment\.systemPackages$/, "nixi pkg install / nixi pkg remove"],
  [/^virtualisation\.oci-containers\.containers(\.|$)/, "nixi container deploy"],
  [/^systemd\.timers(\.|$)/, "nixi timer create"],
  [/^users\.users(\.|$)/, "nixi user"],
];

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 120 ? s.slice(0, 117) + "..." : s;
};

export default defineCommand<{ option: string; value: string }, SetData>({
  path: ["config", "set"],
  summary: "Set a NixOS option (written to options.nix in nixi's folder)",
  description:
    "OPTION is a dotted option path (quote a part that is not a plain name: fileSystems.\"/srv\".device). " +
    "VALUE is read as JSON when it is valid JSON (true, 8080, [\"a\"], {\"k\":1}, \"\\\"text\\\"\"), otherwise as a string; " +
    "a number or boolean stays text when the option takes a string (system.stateVersion 24.11 is \"24.11\"). " +
    "The path and the value's type are checked against nixi's option catalog and, on a NixOS machine, by evaluating the new configuration before anything is written; " +
    "a renamed or removed option is refused with its replacement. --force writes an option nixi cannot verify, with a warning. " +
    "Secrets are refused: use the option's file variant (…File = \"/srv/.credentials/…\").",
  risk: "change",
  args: [
    { name: "option", description: "option path, e.g. services.nginx.enable" },
    { name: "value", description: "JSON value, or text used as a string" },
  ],
  examples: [
    "nixi config set services.nginx.enable true",
    "nixi config set networking.hostName web1",
    "nixi config set nix.settings.experimental-features '[\"nix-command\",\"flakes\"]'",
    "nixi config set 'fileSystems.\"/srv\".options' '[\"noatime\"]' --dry-run",
  ],
  jsonFields: ["option", "value", "previous", "verified", "type", "evaluation"],
  async mutate(state, input, ctx) {
    const { segs, key } = parseOptionArg(input.option);
    const parsed = parseOptionValue(input.value);
    refuseSecrets(segs, parsed); // a secret is refused (exit 4) whatever the option is
    const { verifyOptionValue } = await import("../../options/set-check.js");
    const checked = await verifyOptionValue(ctx, segs, input.value, parsed);
    const value = checked.value;
    refuseSecrets(segs, value);
    const options: Record<string, unknown> = (state.options ??= {});
    for (const other of Object.keys(options)) {
      if (other === key) continue;
      let otherSegs: string[];
      try {
        otherSegs = parseOptionArg(other).segs;
      } catch {
        continue; // a hand-edited odd key: the renderer reports it
      }
      const n = Math.min(otherSegs.length, segs.length);
      if (otherSegs.slice(0, n).every((s, i) => s === segs[i])) {
        throw new NixiError(
          "INVALID_ARGUMENT",
          `${key} overlaps ${formatOptionPath(otherSegs)}, which nixi already sets`,
          `unset it first (nixi config unset ${formatOptionPath(otherSegs)}) or set the whole value in one go`,
        );
      }
    }
    const previous = options[key];
    const same = JSON.stringify(previous) === JSON.stringify(value);
    options[key] = value;
    const dedicated = DEDICATED.find(([re]) => re.test(key));
    return {
      warnings: [...checked.warnings, ...(dedicated && !same ? [`${key} is also managed by \`${dedicated[1]}\`: the values are merged by NixOS (lists) or may conflict (single values)`] : [])],
      summary: same ? [] : [`set ${key} = ${short(value)}${previous !== undefined ? ` (was ${short(previous)})` : ""}`],
      data: { option: key, value, previous: previous ?? null, verified: checked.verified, type: checked.type, evaluation: null },
    };
  },
  render(data, out) {
    out.line(`${data.option} = ${JSON.stringify(data.value)}`);
  },
});
