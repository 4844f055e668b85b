import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { formatOptionPath, parseOptionPath } from "../../nixos/modules/options.js";

interface ShowData {
  option: string;
  /** Where the facts come from: the machine's evaluation, nixi's catalog, or both. */
  known: Array<"machine" | "catalog">;
  type: string | null;
  default: string | null;
  description: string | null;
  declaredIn: string[];
  renamedTo: { now: string | null; kind: string; release: string | null; message: string | null } | null;
  renamedFrom: string[];
  /** Current value on the machine (secrets masked); absent without evaluation. */
  value?: unknown;
  definedIn: string[];
  evaluation: { evaluated: boolean; seconds?: number; cached?: boolean; skipped?: string };
}

export default defineCommand<{ option: string }, ShowData>({
  path: ["option", "show"],
  summary: "Show a NixOS option: type, default, description, declared in, renames, current value",
  description:
    "Reads the machine's own option tree by evaluation on a NixOS machine (options of your own and third-party modules too; " +
    "cached per system generation) and nixi's offline catalog otherwise. String values of secret-named options are masked.",
  risk: "read",
  args: [{ name: "option", description: "option path, e.g. services.openssh.settings.PasswordAuthentication" }],
  examples: ["nixi option show services.openssh.settings.PasswordAuthentication", "nixi option show hardware.opengl.enable --json", "nixi option show 'boot.kernel.sysctl.\"net.ipv4.ip_forward\"'"],
  jsonFields: ["option", "known", "type", "default", "description", "declaredIn", "renamedTo", "renamedFrom", "value", "definedIn", "evaluation"],
  async run(ctx, input) {
    const segs = parseOptionPath(input.option, "option path", 1);
    const key = formatOptionPath(segs);
    const { findOption, findRename, suggestPaths, renameMessage, renamesTo, childrenOf } = await import("../../options/catalog.js");
    const { readFromMachine } = await import("../../options/sources.js");
    const { redactOptionValue } = await import("../../options/show-value.js");
    const rename = findRename(segs);
    const cat = findOption(segs);
    const machine = rename ? { evaluated: false, skipped: renameMessage(rename, key) } : await readFromMachine(ctx, segs, true);
    const m = machine.option?.found ? machine.option : undefined;
    const exact = cat && cat.rest.length === 0 ? cat.option : cat && cat.rest.length && cat.option.type?.startsWith("attribute set of") ? cat.option : null;
    if (!m && !exact && !rename) {
      const below = machine.option?.prefix ?? childrenOf(segs);
      if (below?.length) {
        throw new NixiError("INVALID_ARGUMENT", `${key} is a group of options, not an option`, `options below it: ${below.slice(0, 8).map((c) => formatOptionPath([...segs, c])).join(", ")}${below.length > 8 ? ", ..." : ""}`);
      }
      const near = suggestPaths(segs);
      throw new NixiError("INVALID_ARGUMENT", `${key} is not a NixOS option${machine.evaluated ? " on this machine" : " nixi knows"}${machine.skipped ? ` (machine not asked: ${machine.skipped})` : ""}`, near.length ? `did you mean ${near.join(", ")}?` : "search with `nixi option search TERM`");
    }
    const known: ShowData["known"] = [];
    if (m) known.push("machine");
    if (exact) known.push("catalog");
    const value = m?.value && "value" in m.value ? redactOptionValue(segs, m.value.value) : undefined;
    const def = m?.default ? (m.default.text ?? (m.default.value !== undefined ? JSON.stringify(redactOptionValue(segs, m.default.value)) : null)) : exact?.default ?? null;
    return {
      option: key,
      known,
      type: (m?.rest?.length ? m.elemType : m?.type) ?? exact?.type ?? null,
      default: def ?? null,
      description: m?.description ?? null,
      declaredIn: m?.declarations?.length ? m.declarations : exact?.declaredIn ? [`<nixpkgs/${exact.declaredIn}>`] : [],
      renamedTo: rename ? { now: rename.now, kind: rename.kind, release: rename.release ?? null, message: rename.message ?? null } : null,
      renamedFrom: renamesTo(key),
      ...(value !== undefined ? { value } : {}),
      definedIn: m?.files ?? [],
      evaluation: { evaluated: machine.evaluated, ...("seconds" in machine && machine.seconds !== undefined ? { seconds: machine.seconds, cached: machine.cached } : {}), ...(machine.skipped ? { skipped: machine.skipped } : {}) },
    };
  },
  render(d, out) {
    out.line(out.style.bold(d.option));
    if (d.renamedTo) out.line(`  ${out.style.warn(d.renamedTo.now ? `renamed to ${d.renamedTo.now}` : "removed")}${d.renamedTo.release ? ` in ${d.renamedTo.release}` : ""}${d.renamedTo.message ? `: ${d.renamedTo.message}` : ""}`);
    const rows: Array<[string, string | null]> = [
      ["type", d.type],
      ["default", d.default],
      ["value", d.value === undefined ? null : JSON.stringify(d.value)],
      ["description", d.description?.replace(/\s+/g, " ").slice(0, 300) ?? null],
      ["declared in", d.declaredIn.join(", ") || null],
      ["defined in", d.definedIn.join(", ") || null],
      ["renamed from", d.renamedFrom.join(", ") || null],
      ["known from", d.known.join(" and ") || null],
    ];
    for (const [k, v] of rows) if (v !== null) out.line(`  ${(k + ":").padEnd(14)}${v}`);
    out.line(out.style.dim(d.evaluation.evaluated ? `  (evaluated on the machine${d.evaluation.cached ? ", cached" : ` in ${d.evaluation.seconds} s`})` : `  (not evaluated: ${d.evaluation.skipped})`));
  },
});
