// Safe apply (issue 11): a `switch` (or `test`) on a remote node that cannot strand it.
//
// On the node, one detached root shell (systemd-run when systemd runs, else setsid -f; both survive
// the SSH session's SIGHUP) does: record the running generation (readlink -f /run/current-system)
// -> run nixos-rebuild -> write its exit status -> wait `confirm_timeout` seconds for nixi's
// confirmation -> without one: `nix-env --profile /nix/var/nix/profiles/system --set PREVIOUS`,
// `PREVIOUS/bin/switch-to-configuration switch`, nixi's files put back from .previous/ (hard links),
// and nixi's lock released. The canary is the folder `<nixi dir>/.safe-apply/`:
//   previous  the generation that was running      status    nixos-rebuild's exit code
//   log       the rebuild output (mode 600)         decided/  created by whoever decides first
//   decision  "confirmed" or "reverted"             revert.log, revert-status (written when all is back)
// nixi confirms over a FRESH SSH connection made after the switch (proving a new login works, not
// only that an old connection survived) with `mkdir .safe-apply/decided`: an atomic mkdir, so a
// confirmation and the revert can never both win.
import { posix } from "node:path";
import { nodeCrypto } from "../core/builtins.js";
import type { Ctx } from "../core/context.js";
import type { Executor, RunResult } from "../core/executor.js";
import { NixiError } from "../core/errors.js";
import { shQuote } from "../exec/quote.js";
import { OWNED_FILES } from "../nixos/generate.js";

export const CANARY_DIR = ".safe-apply";

export interface SafeApplySettings {
  enabled: boolean;
  timeoutSeconds: number;
  /** The running system's link (/run/current-system) and the system profile, configurable for tests. */
  currentSystem: string;
  profile: string;
}

const PATH_RE = /^(\/[A-Za-z0-9_][A-Za-z0-9_.@+-]*)+$/;

/** [rebuild] safe_apply (default true), confirm_timeout (seconds, default 30), validated like flags. */
export function safeApplySettings(ctx: Pick<Ctx, "config">): SafeApplySettings {
  const t = (ctx.config.raw.rebuild ?? {}) as Record<string, unknown>;
  const where = `${ctx.config.path}: [rebuild]`;
  const enabled = t.safe_apply ?? true;
  if (typeof enabled !== "boolean") throw new NixiError("CONFIG_INVALID", `${where} safe_apply must be true or false, not ${JSON.stringify(enabled)}`);
  const timeout = t.confirm_timeout ?? 30;
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > 3600) {
    throw new NixiError("CONFIG_INVALID", `${where} confirm_timeout must be a whole number of seconds from 1 to 3600, not ${JSON.stringify(timeout)}`);
  }
  const path = (key: string, d: string) => {
    const v = t[key] ?? d;
    if (typeof v !== "string" || !PATH_RE.test(v)) throw new NixiError("CONFIG_INVALID", `${where} ${key} must be a plain absolute path, not ${JSON.stringify(v)}`);
    return v;
  };
  return { enabled, timeoutSeconds: timeout, currentSystem: path("current_system", "/run/current-system"), profile: path("system_profile", "/nix/var/nix/profiles/system") };
}

/** Safe apply covers activating modes on remote nodes (boot and build activate nothing now). */
export function wantsSafeApply(ctx: Ctx, mode: string): boolean {
  if (ctx.node === "local" || (mode !== "switch" && mode !== "test")) return false;
  if (ctx.flags.noSafeApply) return false;
  return safeApplySettings(ctx).enabled;
}

export interface SafeOptions {
  /** What the log line calls the activation (default: argv joined). */
  label?: string;
  /** Put nixi's files back from .previous/ on a revert (default true). False for `system rollback`,
   *  which changes no file of nixi's: .previous/ there is an older change, not this one's. */
  restoreFiles?: boolean;
}

/** The detached script (runs as root on the node). */
export function watchdogScript(ctx: Ctx, argv: string[], s: SafeApplySettings, restoreFiles = true): string {
  const q = shQuote;
  const dir = ctx.config.nixiDir;
  const D = posix.join(dir, CANARY_DIR);
  const restore = OWNED_FILES.map((f) => {
    const cur = q(posix.join(dir, f));
    const prev = q(posix.join(dir, ".previous", f));
    return `if [ -e ${prev} ]; then ln -f ${prev} ${cur}; else rm -f ${cur}; fi`;
  }).join("; ");
  return [
    "set -u",
    `D=${q(D)}`,
    `rm -rf "$D"; mkdir -m 755 -p "$D" || exit 1`,
    `prev=$(readlink -f ${q(s.currentSystem)}); printf '%s\\n' "$prev" > "$D/previous"`,
    `(umask 077; ${argv.map(q).join(" ")} > "$D/log" 2>&1); rc=$?`,
    `printf '%s\\n' "$rc" > "$D/status.tmp"; mv -f "$D/status.tmp" "$D/status"`,
    // a failed rebuild activates nothing to revert: nixi restores its files as for any failure
    `[ "$rc" = 0 ] || exit 0`,
    `i=0; while [ "$i" -lt ${s.timeoutSeconds * 10} ]; do [ -d "$D/decided" ] && exit 0; sleep 0.1; i=$((i+1)); done`,
    `mkdir "$D/decided" 2>/dev/null || exit 0`,
    `echo reverted > "$D/decision"`,
    `nix-env --profile ${q(s.profile)} --set "$prev" >> "$D/revert.log" 2>&1`,
    `"$prev/bin/switch-to-configuration" switch >> "$D/revert.log" 2>&1; rs=$?`,
    ...(restoreFiles ? [restore] : []),
    `rm -rf ${q(posix.join(dir, ".lock"))}`,
    // last: revert-status says the revert is complete (generation, files and lock)
    `echo "$rs" > "$D/revert-status"`,
  ].join("\n");
}

/** Start the watchdog detached, then wait (up to ~3 s in the same call) for the rebuild's status. */
function armLine(ctx: Ctx, script: string, nonRoot: boolean): string {
  const q = shQuote;
  const S = nonRoot ? "sudo -n " : "";
  const D = q(posix.join(ctx.config.nixiDir, CANARY_DIR));
  const unit = `nixi-safe-apply-${nodeCrypto().randomBytes(4).toString("hex")}`;
  return (
    `if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then ${S}systemd-run --quiet --collect --unit ${unit} /bin/sh -c ${q(script)} || exit 1; ` +
    `else ${S}setsid -f /bin/sh -c ${q(script)} </dev/null >/dev/null 2>&1 || exit 1; fi; ` +
    waitStatus(D)
  );
}

/** Waits up to 3 s for the status file; prints "status N" when it is there. */
function waitStatus(D: string): string {
  return `i=0; while [ ! -e ${D}/status ] && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i+1)); done; [ -e ${D}/status ] && printf 'status %s\\n' "$(cat ${D}/status)"; exit 0`;
}

export interface SafeResult extends RunResult {
  /** The node did not answer after the switch: it switches back by itself. */
  reverted?: boolean;
  /** The fresh connection that confirmed (use it for the rest of the change, then close it). */
  fresh?: Executor;
}

/** Run the rebuild the safe way. Needs an SSH executor (ctx.node is remote). */
export async function safeRebuild(ctx: Ctx, argv: string[], timeoutMs: number, opts: SafeOptions = {}): Promise<SafeResult> {
  const s = safeApplySettings(ctx);
  const entry = ctx.config.nodes.find((n) => n.name === ctx.node);
  if (!entry) throw new NixiError("FAILED", `safe apply: node ${ctx.node} is not in the inventory`);
  const nonRoot = entry.user !== "root";
  const D = posix.join(ctx.config.nixiDir, CANARY_DIR);
  ctx.log(`safe apply: ${opts.label ?? argv.join(" ")} runs detached on ${ctx.node}; it switches back unless nixi confirms within ${s.timeoutSeconds} s over a new connection`);
  const start = Date.now();
  let status: number | null = null;
  const parse = (r: RunResult) => {
    const m = /status (\d+)/.exec(r.stdout);
    if (m) status = Number(m[1]);
  };
  const arm = await ctx.exec.run(["sh", "-c", armLine(ctx, watchdogScript(ctx, argv, s, opts.restoreFiles ?? true), nonRoot)], { timeoutMs: 8000 });
  if (arm.exitCode !== 0 && !arm.timedOut) throw new NixiError("FAILED", `safe apply: could not start the detached rebuild on ${ctx.node} (exit ${arm.exitCode}): ${arm.stderr.trim().split("\n").pop() ?? ""}`);
  parse(arm);
  // wait for the status over the connection we have, as long as it answers
  let lost = arm.timedOut === true;
  while (status === null && !lost && Date.now() - start < timeoutMs) {
    try {
      const r = await ctx.exec.run(["sh", "-c", waitStatus(shQuote(D))], { timeoutMs: 6000 });
      if (r.timedOut) lost = true;
      else parse(r);
    } catch {
      lost = true;
    }
  }
  if (status === null && !lost) return { exitCode: 124, stdout: "", stderr: "", timedOut: true };
  if (status !== null && status !== 0) {
    const log = await readCanary(ctx.exec, D, "log", nonRoot);
    return { exitCode: status, stdout: log, stderr: "" };
  }
  ctx.log(lost ? `safe apply: lost the connection to ${ctx.node} during the switch; trying new connections` : "safe apply: switched; confirming over a new connection");
  // confirm over a fresh connection until the node's watchdog would have decided
  const deadline = Date.now() + s.timeoutSeconds * 1000;
  const { sshExecutor } = await import("../exec/targets.js");
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    const left = deadline - Date.now();
    const cfg = { ...ctx.config, ssh: { ...ctx.config.ssh, connectTimeoutSeconds: Math.max(0.5, Math.min(ctx.config.ssh.connectTimeoutSeconds, left / 1000)) } };
    const fresh = await sshExecutor(entry, cfg, ctx.env);
    try {
      const c = await fresh.run(["mkdir", "--", posix.join(D, "decided")], { privileged: true, timeoutMs: Math.max(1000, left) });
      if (c.exitCode === 0) {
        await fresh.batch([{ op: "write", path: posix.join(D, "decision"), content: "confirmed\n", mode: 0o644 }], { privileged: true });
        const log = await readCanary(fresh, D, "log", nonRoot);
        return { exitCode: 0, stdout: log, stderr: "", fresh };
      }
      const decision = (await readCanary(fresh, D, "decision", nonRoot)).trim();
      await fresh.close();
      // the watchdog made `decided` first (its "reverted" may still be on the way)
      if (decision === "reverted" || decision === "") return { exitCode: 1, stdout: "", stderr: "", reverted: true };
      throw new NixiError("FAILED", `safe apply: cannot confirm on ${ctx.node}: ${c.stderr.trim() || `mkdir exit ${c.exitCode}`}`);
    } catch (e) {
      await fresh.close().catch(() => undefined);
      if (e instanceof NixiError && e.code === "FAILED") throw e;
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
    }
  }
  return { exitCode: 1, stdout: "", stderr: "", reverted: true };
}

async function readCanary(exec: Executor, D: string, name: string, _nonRoot: boolean): Promise<string> {
  const r = await exec.batch([{ op: "read", path: posix.join(D, name) }], { privileged: true });
  return r[0].ok ? (r[0].content ?? "") : "";
}

export function revertedError(ctx: Ctx, s = safeApplySettings(ctx)): NixiError {
  return new NixiError(
    "REVERTED",
    `reverted: the node was unreachable after the switch (no new SSH login to ${ctx.node} within ${s.timeoutSeconds} s); it switches back to the previous generation and puts nixi's files back by itself`,
    `see ${posix.join(ctx.config.nixiDir, CANARY_DIR)}/ on the node (previous, log, decision, revert.log) once it answers again`,
  );
}
