// Will a rebuild contain nixi's change? Only when the machine's configuration imports nixi's folder
// (`nixi init` adds it), for channel systems (configuration.nix) and flakes (flake.nix or the
// configuration.nix it uses) alike. And under --root DIR, a rebuild would build the running host,
// so the change is staged instead (exec/root-guard.ts).
import { posix } from "node:path";
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { rootExecBlocked, rootExecError } from "../exec/root-guard.js";

export type ImportStatus = { imported: true } | { imported: false; why: string } | { imported: "unknown"; why: string };

/** The path nixi's folder is written as in configuration.nix (`./nixi`), and the other spellings that mean it. */
export function importEntries(ctx: Pick<Ctx, "config">): string[] {
  const etc = posix.dirname(ctx.config.configurationNix);
  const dir = ctx.config.nixiDir;
  const rel = posix.relative(etc, dir);
  const entry = rel && !rel.startsWith("..") ? `./${rel}` : dir;
  return [entry, dir, `${entry}/default.nix`, `${dir}/default.nix`];
}

export async function importStatus(ctx: Pick<Ctx, "config" | "exec">): Promise<ImportStatus> {
  const confPath = ctx.config.configurationNix;
  const etc = posix.dirname(confPath);
  if (!(await ctx.exec.stat(etc))) return { imported: false, why: `${etc} does not exist (is this a NixOS machine?)` };
  const { scan, moduleShape, importsContain, NixScanError } = await import("./imports.js");
  const candidates = importEntries(ctx);
  const norm = (s: string) => s.replace(/^"|"$/g, "").replace(/\/+$/, "").replace(/\/default\.nix$/, "");
  const wanted = new Set(candidates.map(norm));
  const conf = await ctx.exec.readFile(confPath);
  const flake = await ctx.exec.readFile(posix.join(etc, "flake.nix"));
  if (conf === null && flake === null) return { imported: false, why: `neither ${confPath} nor ${posix.join(etc, "flake.nix")} exists (is this a NixOS machine?)` };
  let unreadable: string | null = null;
  if (conf !== null) {
    try {
      const tokens = scan(conf);
      const shape = moduleShape(tokens);
      if (shape.imports && importsContain(conf, tokens, shape.imports, candidates)) return { imported: true };
      if (shape.importsNotList) unreadable = `the imports of ${confPath} are not a plain list`;
    } catch (e) {
      if (!(e instanceof NixScanError)) throw e;
      unreadable = `${confPath} could not be read (${e.message})`;
    }
  }
  if (flake !== null) {
    // A flake may list the folder among its modules directly: `modules = [ ./configuration.nix ./nixi ];`
    try {
      if (scan(flake).some((t) => (t.kind === "word" || t.kind === "string") && wanted.has(norm(t.text)))) return { imported: true };
    } catch (e) {
      if (!(e instanceof NixScanError)) throw e;
      unreadable ??= `${posix.join(etc, "flake.nix")} could not be read (${e.message})`;
    }
  }
  if (unreadable) return { imported: "unknown", why: unreadable };
  const where = conf !== null ? confPath : posix.join(etc, "flake.nix");
  return { imported: false, why: `${where} does not import nixi's folder ${candidates[0]}` };
}

/** True when a rebuild would act on the running host instead of --root DIR: stage only. */
export function stagedUnderRoot(ctx: Pick<Ctx, "root" | "env" | "exec">): boolean {
  return ctx.exec.node === "local" && rootExecBlocked(ctx.root, ctx.env);
}

export function stagedUnderRootNote(root: string): string {
  return `staged under --root ${root} (a rebuild here would build the running host): apply with \`nixos-install --root ${root}\`, or \`nixos-enter --root ${root} -c 'nixos-rebuild switch'\``;
}

/** Before the confirmation gate of a change: refuse a rebuild that would not contain the change,
 *  refuse commands that would run on the host under --root, warn when only staging. */
export async function checkChangeTakesEffect(
  ctx: Ctx,
  change: { rebuild: boolean; staged: boolean; stateChanged: boolean; commands: string[][] },
): Promise<void> {
  if (change.staged && change.commands.length) throw rootExecError(ctx.root, change.commands[0]);
  if (!change.rebuild && !change.stateChanged) return;
  const status = await importStatus(ctx);
  if (status.imported === true) return;
  const hint = "run `nixi init` to import nixi's folder from configuration.nix (or add it to your flake's modules)";
  if (status.imported === "unknown") {
    ctx.warn(`cannot tell whether the rebuilt system contains this change: ${status.why}; ${hint}`);
    return;
  }
  if (change.rebuild) {
    throw new NixiError("NOT_INITIALIZED", `refusing to rebuild: the change would not be in the rebuilt system, because ${status.why}`, `${hint}; nothing was changed`);
  }
  ctx.warn(`staged, but not in effect after a rebuild: ${status.why}; ${hint}`);
}
