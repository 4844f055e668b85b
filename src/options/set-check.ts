// `config set`'s check of OPTION VALUE before the transaction: catalog first (instant), the
// machine's own option tree only for what the catalog cannot tell (user-declared options, types
// nixi cannot check), and --force for what neither can verify.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { formatOptionPath } from "../nixos/modules/options.js";
import { catalogTypeOf, refusal, typeCommandLineValue, verifyWithCatalog } from "./verify.js";
import { checkValue, parseType, typeName } from "./types.js";
import { findOption, suggestPaths } from "./catalog.js";

export interface SetCheck {
  value: unknown;
  verified: "catalog" | "machine" | "forced";
  type: string | null;
  warnings: string[];
}

export async function verifyOptionValue(ctx: Ctx, segs: string[], raw: string, parsed: unknown): Promise<SetCheck> {
  const key = formatOptionPath(segs);
  const catType = catalogTypeOf(segs);
  let value = typeCommandLineValue(catType && catType.k !== "unknown" ? catType : null, raw, parsed);
  const verdicts = verifyWithCatalog(segs, value);
  const refused = refusal(verdicts);
  if (refused) throw refused;
  const unknown = verdicts.filter((v) => v.kind === "unknown");
  const typeText = catType && catType.k !== "unknown" ? typeName(catType) : findOption(segs)?.option.type ?? null;
  if (!unknown.length) return { value, verified: "catalog", type: typeText, warnings: [] };

  const { evaluationAvailable, evaluateOption } = await import("./evaluate.js");
  const avail = await evaluationAvailable(ctx);
  const first = unknown[0];
  if (!avail.ok) {
    if (ctx.flags.force) {
      return { value, verified: "forced", type: typeText, warnings: unknown.map((u) => `--force: writing ${u.path} unverified (${u.why}; the full check was skipped: ${avail.why})`) };
    }
    throw new NixiError(
      "INVALID_ARGUMENT",
      `cannot verify ${first.path}: ${first.why}, and the machine's configuration cannot be evaluated (${avail.why})`,
      `${first.hint ? first.hint + "; " : ""}check the name and type with \`nixi option show\`, or write it anyway with --force`,
    );
  }
  // Paths the catalog lacks: ask the machine (its own modules may declare them).
  if (findOption(segs) === null || unknown.some((u) => u.why.endsWith("is not a NixOS option nixi knows"))) {
    const { result } = await evaluateOption(ctx, avail, segs, false);
    if (!result.found) {
      const near = [...new Set([...(result.children ?? []).filter((c) => c.toLowerCase().startsWith((result.missing ?? "").toLowerCase().slice(0, 3))).map((c) => formatOptionPath([...segs.slice(0, segs.indexOf(result.missing!)), c])), ...suggestPaths(segs)])].slice(0, 3);
      throw new NixiError("INVALID_ARGUMENT", `${key} is not an option of this machine's NixOS configuration${result.missing ? ` (no ${JSON.stringify(result.missing)} there)` : ""}`, near.length ? `did you mean ${near.join(", ")}?` : "see `nixi option search TERM`");
    }
    const machineType = result.rest && result.rest.length ? result.elemType ?? null : result.type ?? null;
    if (machineType) {
      const t = parseType(machineType);
      value = typeCommandLineValue(t.k === "unknown" ? null : t, raw, parsed);
      const r = checkValue(t, value);
      if (r.ok === false) throw new NixiError("INVALID_ARGUMENT", `${key} does not take this value, ${r.why}`, `the machine declares ${key} as ${machineType}`);
    }
    return { value, verified: "machine", type: machineType, warnings: [] };
  }
  // Known path, type nixi cannot check: the evaluation before writing decides.
  return { value, verified: "machine", type: typeText, warnings: [] };
}
