// Batches: several file operations in one round trip (issue 11). Two implementations:
//  - batchSteps(): step by step through an executor's own methods (local, and any executor
//    without a native batch);
//  - sshBatchScript()/parseSshBatch(): one POSIX shell script run in ONE exec channel, file
//    contents on stdin (never on the command line), every step's output framed by a random
//    boundary so file contents, exit codes and error text come back apart.
import { posix } from "node:path";
import { nodeCrypto } from "../core/builtins.js";
import type { BatchOp, BatchResult, Executor, FileStat } from "../core/executor.js";
import { shQuote } from "./quote.js";

const NO_SUCH = /No such file or directory|Not a directory/;

/** Does the batch change anything? (monitored executors run only batches that do not) */
export function batchIsReadOnly(ops: BatchOp[]): boolean {
  return ops.every((o) => o.op === "read" || o.op === "stat" || o.op === "exists");
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface StepHooks {
  /** Hard link (replacing `to`); the fallback copies the content. */
  link?: (from: string, to: string) => Promise<void>;
  /** rename(2); the fallback uses exec.rename. */
  rename?: (from: string, to: string) => Promise<void>;
}

/** Run a batch step by step through `exec`'s own methods. Stops at the first failing step. */
export async function batchSteps(exec: Executor, ops: BatchOp[], privileged: boolean, hooks: StepHooks = {}): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  let failed = false;
  for (const o of ops) {
    if (failed) {
      out.push({ ok: false, skipped: true });
      continue;
    }
    try {
      switch (o.op) {
        case "read":
          out.push({ ok: true, content: await exec.readFile(o.path) });
          break;
        case "stat":
          out.push({ ok: true, stat: await exec.stat(o.path) });
          break;
        case "exists":
          out.push({ ok: true, exists: !!(await exec.stat(o.path)) });
          break;
        case "write":
          await exec.writeFile(o.path, o.content, { mode: o.mode, privileged });
          out.push({ ok: true });
          break;
        case "remove":
          await exec.remove(o.path, { recursive: o.recursive, privileged });
          out.push({ ok: true });
          break;
        case "mkdir":
          await exec.mkdir(o.path, { mode: o.mode, privileged });
          out.push({ ok: true });
          break;
        case "rmdir":
          await exec.remove(o.path, { privileged }).catch(() => undefined);
          out.push({ ok: true });
          break;
        case "link": {
          const st = await exec.stat(o.from);
          if (!st) await exec.remove(o.to, { privileged });
          else if (hooks.link) await hooks.link(o.from, o.to);
          else {
            const content = await exec.readFile(o.from);
            if (content === null) await exec.remove(o.to, { privileged });
            else await exec.writeFile(o.to, content, { mode: st.mode, privileged });
          }
          out.push({ ok: true });
          break;
        }
        case "rename":
          if (hooks.rename) await hooks.rename(o.from, o.to);
          else await exec.rename(o.from, o.to);
          out.push({ ok: true });
          break;
        case "lock":
          if (await exec.mkdir(o.path, { exclusive: true, privileged })) {
            await exec.writeFile(posix.join(o.path, "holder"), o.holder, { privileged, mode: 0o644 });
            out.push({ ok: true });
          } else {
            out.push({ ok: false, held: true, content: await exec.readFile(posix.join(o.path, "holder")).catch(() => null) });
            failed = true;
          }
          break;
      }
    } catch (e) {
      if ((o.op === "read" || o.op === "stat") && o.optional) {
        out.push({ ok: true, error: errText(e) });
        continue;
      }
      out.push({ ok: false, error: errText(e) });
      failed = true;
    }
  }
  return out;
}

export interface SshScript {
  line: string;
  input: string;
  boundary: string;
}

/**
 * One shell script for the batch. `sudo` is "sudo -n " or "". Every command it runs has the argument
 * shape of the single-call SSH executor (so node setup's sudo rules cover it), plus `ln -f --`.
 * Stdin holds the write contents back to back; `head -c N` reads exactly N bytes of them.
 */
export function sshBatchScript(ops: BatchOp[], sudo: string): SshScript {
  const B = `@@nixi-${nodeCrypto().randomBytes(12).toString("hex")}`;
  const q = shQuote;
  const s = sudo;
  const parts: string[] = [`export LC_ALL=C; B=${B}`];
  // begin marker on both streams; end marker with the exit code; a failing step ends the script
  parts.push(`beg() { printf '%s S %d\\n' "$B" "$1"; printf '%s S %d\\n' "$B" "$1" >&2; }`);
  parts.push(`end() { printf '\\n%s E %d %d\\n' "$B" "$1" "$2"; }`);
  parts.push(`die() { end "$1" "$2"; exit 0; }`);
  let input = "";
  const tmpName = (p: string) => posix.join(posix.dirname(p), `.${posix.basename(p).replace(/^\.+/, "")}.nixi-${nodeCrypto().randomBytes(6).toString("hex")}`);
  const write = (i: number, path: string, content: string, mode: number) => {
    const tmp = tmpName(path);
    const bytes = Buffer.byteLength(content);
    input += content;
    return (
      `${s}mkdir -p -- ${q(posix.dirname(path))} || die ${i} $?; ` +
      `head -c ${bytes} | (umask 077 && ${s}tee -- ${q(tmp)} >/dev/null) && ${s}chmod ${(mode & 0o7777).toString(8)} -- ${q(tmp)} && ${s}mv -f -- ${q(tmp)} ${q(path)} ` +
      `|| { r=$?; ${s}rm -f -- ${q(tmp)}; die ${i} $r; }; end ${i} 0`
    );
  };
  ops.forEach((o, i) => {
    let body: string;
    switch (o.op) {
      // an optional read runs without sudo: it is for files outside nixi's own (configuration.nix),
      // which a non-root node user's sudo rules do not cover and which are world-readable anyway
      case "read":
        body = `${o.optional ? "" : s}cat -- ${q(o.path)}; end ${i} $?`; // a missing file is not a failure of the batch
        break;
      case "stat":
        body = `${o.optional ? "" : s}stat -c ${q("%f %s %Y")} -- ${q(o.path)}; end ${i} $?`;
        break;
      case "exists":
        body = `[ -e ${q(o.path)} ] || [ -L ${q(o.path)} ]; end ${i} $?`;
        break;
      case "write":
        body = write(i, o.path, o.content, o.mode ?? 0o644);
        break;
      case "remove":
        body = `${s}rm ${o.recursive ? "-rf" : "-f"} -- ${q(o.path)} || die ${i} $?; end ${i} 0`;
        break;
      case "mkdir":
        body = `${s}mkdir -p ${o.mode !== undefined ? `-m ${(o.mode & 0o7777).toString(8)} ` : ""}-- ${q(o.path)} || die ${i} $?; end ${i} 0`;
        break;
      case "rmdir":
        body = `[ ! -d ${q(o.path)} ] || ${s}rmdir -- ${q(o.path)} 2>/dev/null; end ${i} 0`;
        break;
      case "link": {
        // mirror: `to` becomes a hard link to `from`, or goes away when `from` is absent
        const tmp = tmpName(o.to);
        body =
          `if [ ! -e ${q(o.from)} ]; then ${s}rm -f -- ${q(o.to)} || die ${i} $?; ` +
          `elif [ ! ${q(o.from)} -ef ${q(o.to)} ]; then ${s}mkdir -p -- ${q(posix.dirname(o.to))} && ${s}ln -f -- ${q(o.from)} ${q(tmp)} && ${s}mv -f -- ${q(tmp)} ${q(o.to)} || { r=$?; ${s}rm -f -- ${q(tmp)}; die ${i} $r; }; fi; end ${i} 0`;
        break;
      }
      case "rename":
        body = `[ ${q(o.from)} -ef ${q(o.to)} ] || ${s}mv -f -T -- ${q(o.from)} ${q(o.to)} || die ${i} $?; end ${i} 0`;
        break;
      case "lock": {
        const holder = posix.join(o.path, "holder");
        // held: the holder's text is the step's output and the script stops (exit code 17)
        body =
          `${s}mkdir -p -- ${q(posix.dirname(o.path))} || die ${i} $?; ` +
          `if ${s}mkdir -- ${q(o.path)} 2>/dev/null; then ${write(i, holder, o.holder, 0o644)}; ` +
          `elif [ -d ${q(o.path)} ]; then ${s}cat -- ${q(holder)} 2>/dev/null; die ${i} 17; ` +
          `else ${s}mkdir -- ${q(o.path)}; die ${i} $?; fi`;
        break;
      }
    }
    parts.push(`beg ${i}; ${body}`);
  });
  return { line: parts.join("\n"), input, boundary: B };
}

function parseStat(text: string): FileStat | null {
  const [hex, size, mtime] = text.trim().split(" ");
  const raw = parseInt(hex, 16);
  if (!Number.isFinite(raw)) return null;
  const fmt = raw & 0o170000;
  const type = fmt === 0o100000 ? "file" : fmt === 0o040000 ? "dir" : fmt === 0o120000 ? "symlink" : "other";
  return { type, size: Number(size), mode: raw & 0o7777, mtimeMs: Number(mtime) * 1000 };
}

/** Split the framed output back into one result per step. */
export function parseSshBatch(ops: BatchOp[], script: SshScript, stdout: string, stderr: string): BatchResult[] {
  const B = script.boundary;
  const errs = new Map<number, string>();
  for (const seg of stderr.split(`${B} S `).slice(1)) {
    const nl = seg.indexOf("\n");
    errs.set(Number(seg.slice(0, nl)), seg.slice(nl + 1).trim());
  }
  const out: BatchResult[] = [];
  let pos = 0;
  let stopped = false;
  ops.forEach((o, i) => {
    if (stopped) {
      out.push({ ok: false, skipped: true });
      return;
    }
    const begin = `${B} S ${i}\n`;
    const b = stdout.indexOf(begin, pos);
    const endRe = new RegExp(`\\n${B} E ${i} (\\d+)\\n`, "g");
    endRe.lastIndex = b < 0 ? 0 : b + begin.length;
    const m = b < 0 ? null : endRe.exec(stdout);
    if (b < 0 || !m) {
      out.push({ ok: false, error: errs.get(i) || "the node did not answer this step (connection lost?)" });
      stopped = true;
      return;
    }
    const body = stdout.slice(b + begin.length, m.index);
    const rc = Number(m[1]);
    pos = m.index + m[0].length;
    const err = errs.get(i) ?? "";
    if (o.op === "read") {
      if (rc === 0) out.push({ ok: true, content: body });
      else if (NO_SUCH.test(err)) out.push({ ok: true, content: null });
      else out.push({ ok: !!o.optional, error: err || `exit ${rc}` });
      return;
    }
    if (o.op === "stat") {
      if (rc === 0) out.push({ ok: true, stat: parseStat(body) });
      else if (NO_SUCH.test(err)) out.push({ ok: true, stat: null });
      else out.push({ ok: !!o.optional, error: err || `exit ${rc}` });
      return;
    }
    if (o.op === "exists") {
      out.push({ ok: true, exists: rc === 0 });
      return;
    }
    if (o.op === "lock" && rc === 17) {
      out.push({ ok: false, held: true, content: body || null });
      stopped = true;
      return;
    }
    if (rc === 0) out.push({ ok: true });
    else {
      out.push({ ok: false, error: err.split("\n").pop() || `exit ${rc}` });
      stopped = true;
    }
  });
  return out;
}
