// Reading the machine through ctx.exec (so --root, SSH and monitored nodes all work).
// Every call here changes nothing and is marked readOnly.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { parseDf, realDisks, DF_ARGV, type DiskUse } from "./proc.js";
import { parseUnits, type UnitRow, parseShow } from "./systemd.js";
import { parseGenerationsJson, profileLinkNumber, type Generation } from "./nix.js";
import { parseSmartHealth, parseSmartScan, type SmartHealth } from "./smart.js";
import { lastLines, runChecked } from "../core/run.js";

export const NIX = ["nix", "--extra-experimental-features", "nix-command flakes"];
export const SYSTEM_PROFILE = "/nix/var/nix/profiles/system";

/** Run a read-only program; throws a clear NixiError when it is missing or fails. */
export const readRun = (ctx: Ctx, argv: string[], opts: { privileged?: boolean; timeoutMs?: number; allowFail?: boolean } = {}) =>
  runChecked(ctx, argv, { ...opts, readOnly: true, timeoutMs: opts.timeoutMs ?? 60_000, notFoundHint: hintFor(argv[0]) });

/** Run a changing program (operate/apply); throws on failure. */
export const changeRun = (ctx: Ctx, argv: string[], opts: { privileged?: boolean; timeoutMs?: number; cwd?: string } = {}) =>
  runChecked(ctx, argv, { ...opts, privileged: opts.privileged ?? true, notFoundHint: hintFor(argv[0]) });

function hintFor(program: string): string | undefined {
  if (["systemctl", "journalctl", "systemd-run", "systemd-analyze"].includes(program)) return "this needs a machine running systemd (NixOS)";
  if (program.startsWith("nix")) return "this needs a NixOS machine with nix on PATH";
  return undefined;
}

export async function readText(ctx: Ctx, path: string): Promise<string | null> {
  try {
    return await ctx.exec.readFile(path);
  } catch {
    return null;
  }
}

/** The folder holding configuration.nix (and flake.nix on flake systems). */
export const nixosDir = (ctx: Ctx) => ctx.config.configurationNix.replace(/\/[^/]*$/, "") || "/etc/nixos";

export async function isFlake(ctx: Ctx): Promise<boolean> {
  return (await ctx.exec.stat(`${nixosDir(ctx)}/flake.nix`)) !== null;
}

export async function hostname(ctx: Ctx): Promise<string | null> {
  const h = (await readText(ctx, "/etc/hostname")) ?? (await readText(ctx, "/proc/sys/kernel/hostname"));
  return h?.trim() || null;
}

export async function diskUse(ctx: Ctx): Promise<DiskUse[] | null> {
  const r = await ctx.exec.run(DF_ARGV, { readOnly: true, timeoutMs: 30_000 });
  if (r.notFound) return null;
  // df exits 1 when one mount is unreadable but still prints the rest.
  if (!r.stdout.trim()) {
    if (r.exitCode !== 0) throw new NixiError("FAILED", `df failed (exit ${r.exitCode}): ${lastLines(r.stderr)}`);
    return [];
  }
  return realDisks(parseDf(r.stdout));
}

/** systemctl list-units as JSON (systemd ≥ 246), falling back to the plain columns. */
export async function listUnits(ctx: Ctx, extra: string[]): Promise<UnitRow[]> {
  const r = await readRun(ctx, ["systemctl", "list-units", ...extra, "--output=json", "--no-pager"], { allowFail: true });
  if (r.exitCode === 0) {
    try {
      return parseUnits(r.stdout);
    } catch {}
  }
  const p = await readRun(ctx, ["systemctl", "list-units", ...extra, "--plain", "--no-legend", "--no-pager"]);
  return parseUnits(p.stdout);
}

export async function failedUnits(ctx: Ctx): Promise<UnitRow[] | null> {
  const r = await ctx.exec.run(["systemctl", "list-units", "--failed", "--output=json", "--no-pager"], { readOnly: true, timeoutMs: 30_000 });
  if (r.notFound) return null;
  return listUnits(ctx, ["--failed"]);
}

export const SHOW_PROPS = ["Id", "Description", "LoadState", "ActiveState", "SubState", "UnitFileState", "FragmentPath", "MainPID", "ExecMainStatus", "Result", "NRestarts", "MemoryCurrent", "ActiveEnterTimestamp"];

export async function showUnit(ctx: Ctx, unit: string, props: string[] = SHOW_PROPS): Promise<Record<string, string>> {
  const r = await readRun(ctx, ["systemctl", "show", unit, `--property=${props.join(",")}`, "--no-pager"]);
  return parseShow(r.stdout);
}

export async function generations(ctx: Ctx): Promise<{ source: "nixos-rebuild" | "profile"; generations: Generation[] }> {
  const r = await ctx.exec.run(["nixos-rebuild", "list-generations", "--json"], { readOnly: true, timeoutMs: 60_000 });
  if (!r.notFound && r.exitCode === 0) {
    let gens: Generation[] | null = null;
    try {
      gens = parseGenerationsJson(r.stdout);
    } catch {}
    if (gens) {
      // Exact times (UTC) from the profile links; nixos-rebuild prints local time without a zone.
      // one batch of stats, however many generations there are (issue 11)
      const dir = SYSTEM_PROFILE.replace(/\/[^/]*$/, "");
      const sts = gens.length ? await ctx.exec.batch(gens.map((g) => ({ op: "stat" as const, path: `${dir}/system-${g.generation}-link`, optional: true }))).catch(() => []) : [];
      gens.forEach((g, i) => {
        const st = sts[i]?.stat;
        if (st) g.date = new Date(st.mtimeMs).toISOString();
      });
      return { source: "nixos-rebuild", generations: gens };
    }
  }
  return { source: "profile", generations: await profileGenerations(ctx) };
}

/** The generation links /nix/var/nix/profiles/system-N-link, as the bash nixos-rebuild reads them. */
export async function profileGenerations(ctx: Ctx): Promise<Generation[]> {
  const dir = SYSTEM_PROFILE.replace(/\/[^/]*$/, "");
  let names: string[];
  try {
    names = await ctx.exec.readdir(dir);
  } catch {
    return [];
  }
  const current = await ctx.exec.realpath(SYSTEM_PROFILE);
  const out: Generation[] = [];
  for (const name of names) {
    const n = profileLinkNumber(name);
    if (n === null) continue;
    const link = `${dir}/${name}`;
    const st = await ctx.exec.stat(link);
    // Resolve on the machine first: the links point at absolute /nix/store paths (inside --root too).
    const target = await ctx.exec.realpath(link);
    const version = target ? (await readText(ctx, `${target}/nixos-version`))?.trim() || null : null;
    let kernel: string | null = null;
    try {
      const modsDir = target ? await ctx.exec.realpath(`${target}/kernel-modules/lib/modules`) : null;
      const mods = modsDir ? await ctx.exec.readdir(modsDir) : [];
      kernel = mods[0] ?? null;
    } catch {}
    out.push({
      generation: n,
      date: st ? new Date(st.mtimeMs).toISOString() : null,
      nixosVersion: version,
      kernelVersion: kernel,
      configurationRevision: null,
      specialisations: [],
      current: current !== null && target === current,
    });
  }
  return out.sort((a, b) => b.generation - a.generation);
}

export async function smartHealth(ctx: Ctx): Promise<SmartHealth[] | null> {
  if (!(await ctx.exec.which("smartctl"))) return null;
  const scan = await ctx.exec.run(["smartctl", "--scan", "-j"], { readOnly: true, privileged: true, timeoutMs: 30_000 });
  if (scan.notFound) return null;
  let devices: Array<{ name: string }> = [];
  try {
    devices = parseSmartScan(scan.stdout);
  } catch {
    return [];
  }
  const out: SmartHealth[] = [];
  for (const d of devices) {
    // smartctl's exit status is a bit mask: non-zero also when the disk is failing; the JSON says which.
    const r = await ctx.exec.run(["smartctl", "-H", "-i", "-j", d.name], { readOnly: true, privileged: true, timeoutMs: 30_000 });
    try {
      out.push(parseSmartHealth(r.stdout, d.name));
    } catch {
      out.push({ device: d.name, model: null, passed: null, temperatureC: null, exitStatus: r.exitCode });
    }
  }
  return out;
}

/** Booted vs current kernel store paths (NixOS: /run/booted-system and /run/current-system). */
export async function kernels(ctx: Ctx): Promise<{ booted: string | null; current: string | null }> {
  const [booted, current] = await Promise.all([ctx.exec.realpath("/run/booted-system/kernel"), ctx.exec.realpath("/run/current-system/kernel")]);
  return { booted, current };
}


export async function containerRuntime(ctx: Ctx): Promise<string | null> {
  for (const p of ["podman", "docker"]) if (await ctx.exec.which(p)) return p;
  return null;
}
