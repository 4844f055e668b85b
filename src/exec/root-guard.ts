// Under --root DIR (other than /) nixi treats DIR as the machine, but a program from PATH runs on the
// running host (`mount`, `nix-channel`, `systemctl`, `nixos-rebuild` act on this machine, not on DIR).
// So programs run under --root only with NIXI_ROOT_EXEC=1 (tests with fakes on PATH, chroot-style tooling).
// This is the one place that decides it; LocalExecutor asks it before every spawn.
import { NixiError } from "../core/errors.js";

export const ROOT_EXEC_ENV = "NIXI_ROOT_EXEC";

/** True when --root names a folder other than / and NIXI_ROOT_EXEC=1 is not set. */
export function rootExecBlocked(root: string, env: NodeJS.ProcessEnv): boolean {
  return root !== "/" && env[ROOT_EXEC_ENV] !== "1";
}

/** Whether a program run by nixi acts on a machine other than the one --root names. */
export function actsOnHost(root: string): boolean {
  return root !== "/";
}

/** Under --root DIR, what a read command gathers live (nft, findmnt, systemctl) describes the
 *  running host, not DIR: the label for it, or null when nothing needs saying. */
export function liveIsHostNote(ctx: { root: string; exec: { node: string } }, what: string): string | null {
  return ctx.exec.node === "local" && actsOnHost(ctx.root) ? `${what} are the running host's, not those of --root ${ctx.root}` : null;
}

/** For an imperative command's plan (reboot, rollback, upgrade): refuse at once, so --dry-run
 *  predicts what the apply would hit, instead of planning an action on the running host. */
export function refuseUnderRoot(ctx: { root: string; env: NodeJS.ProcessEnv; exec: { node: string } }, argv: string[]): void {
  if (ctx.exec.node === "local" && rootExecBlocked(ctx.root, ctx.env)) throw rootExecError(ctx.root, argv);
}

export function rootExecMessage(root: string, argv: string[]): string {
  return `under --root ${root} nixi does not run \`${argv.join(" ")}\`: it would act on the running host, not on ${root}`;
}

export function rootExecError(root: string, argv: string[]): NixiError {
  return new NixiError(
    "POLICY",
    rootExecMessage(root, argv),
    `files under ${root} are staged only; apply them with \`nixos-install --root ${root}\` (or \`nixos-enter --root ${root}\`), or set ${ROOT_EXEC_ENV}=1 to run system programs from PATH anyway`,
  );
}
