import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { PositiveInt } from "../../system/schemas.js";
import { z } from "zod";
import type { Ctx } from "../../core/context.js";
import type { Plan } from "../../core/plan.js";

interface GcGeneration {
  generation: number;
  date: string | null;
  nixosVersion: string | null;
}

interface GcData {
  olderThanDays: number | null;
  keep: number | null;
  delete: GcGeneration[];
  kept: number[];
  /** Known after the run (parsed from nix-collect-garbage); null in the plan. */
  freedBytes: number | null;
  deletedPaths: number | null;
}

const Period = z.string().regex(/^\d{1,5}[dw]$/, 'a period such as "14d" or "2w"');

export default defineCommand<{ olderThan?: string; keep?: number }, GcData>({
  path: ["system", "gc"],
  summary: "Delete old system generations and collect garbage in the Nix store",
  description: "Without flags, deletes generations older than 14 days. With --keep N, the N newest generations always stay. The current generation is never deleted.",
  risk: "change",
  flags: {
    "older-than": { type: "string", description: 'delete generations older than this ("14d", "2w")', placeholder: "period", schema: Period },
    keep: { type: "number", description: "always keep the N newest generations", placeholder: "n", schema: PositiveInt(10000) },
  },
  examples: ["nixi system gc --dry-run", "nixi system gc --older-than 30d --yes", "nixi system gc --keep 5 --yes"],
  jsonFields: ["olderThanDays", "keep", "delete", "kept", "freedBytes", "deletedPaths"],
  plan: async (ctx, input) => {
    (await import("../../exec/root-guard.js")).refuseUnderRoot(ctx, ["nix-collect-garbage", "-d"]);
    return gcPlan(ctx, input);
  },
  async apply(ctx, input) {
    const { changeRun, SYSTEM_PROFILE } = await import("../../system/gather.js");
    const { parseGcFreed } = await import("../../system/nix.js");
    const data = (await gcPlan(ctx, input)).data;
    const nums = data.delete.map((g) => String(g.generation));
    if (nums.length) await changeRun(ctx, ["nix-env", "--profile", SYSTEM_PROFILE, "--delete-generations", ...nums]);
    const r = await changeRun(ctx, ["nix-collect-garbage"], { timeoutMs: 3_600_000 });
    if (nums.length) {
      const b = await ctx.exec.run(["/run/current-system/bin/switch-to-configuration", "boot"], { privileged: true, timeoutMs: 600_000 });
      if (b.exitCode !== 0 || b.notFound) ctx.warn("the boot menu was not updated (switch-to-configuration boot failed); it lists the deleted generations until the next rebuild");
    }
    const freed = parseGcFreed(r.stdout + "\n" + r.stderr);
    return { ...data, freedBytes: freed.freedBytes, deletedPaths: freed.paths };
  },
  render(d, out) {
    if (d.freedBytes !== null) out.line(`freed ${(d.freedBytes / 1048576).toFixed(1)} MiB (${d.deletedPaths} store paths)`);
  },
});

async function gcPlan(ctx: Ctx, { olderThan, keep }: { olderThan?: string; keep?: number }): Promise<Plan & { data: GcData }> {
  const { generations, SYSTEM_PROFILE } = await import("../../system/gather.js");
  const { parsePeriodDays } = await import("../../system/health.js");
  const days = olderThan !== undefined ? parsePeriodDays(olderThan) : keep === undefined ? 14 : null;
  const gens = (await generations(ctx)).generations;
  if (gens.length === 0) throw new NixiError("FAILED", "no system generations found", "is this a NixOS machine?");
  const now = ctx.clock().getTime();
  const newest = new Set(gens.slice(0, keep ?? 0).map((g) => g.generation));
  const del = gens.filter((g) => {
    if (g.current || newest.has(g.generation)) return false;
    if (days === null) return true;
    return g.date !== null && now - Date.parse(g.date) > days * 86_400_000;
  });
  const delNums = del.map((g) => g.generation).sort((a, b) => a - b);
  del.sort((a, b) => a.generation - b.generation);
  const commands = [
    ...(delNums.length ? [`nix-env --profile ${SYSTEM_PROFILE} --delete-generations ${delNums.join(" ")}`] : []),
    "nix-collect-garbage",
    ...(delNums.length ? ["/run/current-system/bin/switch-to-configuration boot"] : []),
  ];
  return {
    summary: [
      delNums.length ? `delete system generations ${delNums.join(", ")}` : "no system generation is old enough to delete",
      "collect garbage in the Nix store (space freed is reported afterwards)",
      ...(delNums.length ? ["update the boot menu"] : []),
    ],
    files: [],
    commands,
    rebuild: false,
    data: {
      olderThanDays: days,
      keep: keep ?? null,
      delete: del.map((g) => ({ generation: g.generation, date: g.date, nixosVersion: g.nixosVersion })),
      kept: gens.filter((g) => !delNums.includes(g.generation)).map((g) => g.generation),
      freedBytes: null,
      deletedPaths: null,
    },
  };
}
