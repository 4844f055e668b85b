// Reading NVIDIA GPUs: nvidia-smi's CSV queries, /proc/driver/nvidia/version and /proc/modules.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";

const MIB = 1024 * 1024;

/** One value of `--format=csv,noheader,nounits`: "[N/A]", "[Not Supported]" etc. become null. */
export function csvValue(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === "" || /^\[.*\]$/.test(t) || t === "N/A") return null;
  return t;
}
export const num = (v: string | null): number | null => {
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
export const mibToBytes = (v: string | null): number | null => {
  const n = num(v);
  return n === null ? null : Math.round(n * MIB);
};

/** Parse `--format=csv,noheader,nounits` output for the given fields (", " separates values). */
export function parseSmiCsv(stdout: string, fields: string[]): Array<Record<string, string | null>> {
  const rows: Array<Record<string, string | null>> = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    let parts = line.split(", ");
    // A GPU name with ", " in it: join the surplus back into the name column.
    const nameAt = fields.indexOf("name");
    if (parts.length > fields.length && nameAt >= 0) {
      const extra = parts.length - fields.length;
      parts = [...parts.slice(0, nameAt), parts.slice(nameAt, nameAt + extra + 1).join(", "), ...parts.slice(nameAt + extra + 1)];
    }
    if (parts.length !== fields.length) throw new NixiError("FAILED", `nvidia-smi printed a line with ${parts.length} values for ${fields.length} fields: ${JSON.stringify(line.slice(0, 200))}`);
    rows.push(Object.fromEntries(fields.map((f, i) => [f, csvValue(parts[i])])));
  }
  return rows;
}

export interface SmiResult {
  /** null when nvidia-smi could not be run or failed. */
  rows: Array<Record<string, string | null>> | null;
  available: boolean;
  error: string | null;
  exitCode: number | null;
}

export async function querySmi(ctx: Ctx, fields: string[]): Promise<SmiResult> {
  const r = await ctx.exec.run(["nvidia-smi", `--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"], { readOnly: true, timeoutMs: 20_000 });
  if (r.notFound) return { rows: null, available: false, error: "nvidia-smi is not installed (it comes with the NVIDIA driver)", exitCode: null };
  if (r.timedOut) return { rows: null, available: true, error: "nvidia-smi did not answer within 20 s", exitCode: null };
  if (r.exitCode !== 0) {
    // nvidia-smi prints its errors on stdout
    const msg = (r.stdout.trim() || r.stderr.trim()).split("\n")[0] || `exit code ${r.exitCode}`;
    return { rows: null, available: true, error: msg, exitCode: r.exitCode };
  }
  return { rows: parseSmiCsv(r.stdout, fields), available: true, error: null, exitCode: 0 };
}

/** Loaded kernel modules whose name starts with the prefix, from /proc/modules. */
export async function loadedModules(ctx: Ctx, prefix: string): Promise<string[] | null> {
  const text = await ctx.exec.readFile("/proc/modules");
  if (text === null) return null;
  return text
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter((m) => m === prefix || m.startsWith(prefix + "_"));
}

export interface NvidiaKernelDriver {
  version: string | null;
  /** "open" or "proprietary", from the NVRM line. */
  kernelModule: "open" | "proprietary" | null;
  raw: string | null;
}

/**
 * /proc/driver/nvidia/version, e.g.
 * "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release Build  (nixbld@localhost)  Tue Aug 20 ..."
 * "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024"
 */
export function parseProcVersion(text: string | null): NvidiaKernelDriver {
  if (text === null) return { version: null, kernelModule: null, raw: null };
  const line = text.split("\n").find((l) => l.startsWith("NVRM version:")) ?? "";
  const version = line.match(/\s(\d+\.\d+(?:\.\d+)?)\s/)?.[1] ?? null;
  const kernelModule = line ? (/Open Kernel Module/.test(line) ? "open" : "proprietary") : null;
  return { version, kernelModule, raw: line || null };
}
