// Records every call that would change the machine instead of making it; reads pass through.
// Used by --dry-run for operate commands, and by tests to see what a command would do.
import type { BatchOp, BatchOptions, BatchResult, Executor, RunOptions, RunResult, WriteOptions } from "../core/executor.js";
import { shJoin } from "./quote.js";
import { batchIsReadOnly, batchSteps } from "./batch.js";

export type RecordedCall =
  | { kind: "run"; argv: string[]; privileged: boolean; hasInput: boolean }
  | { kind: "writeFile"; path: string; mode?: number; bytes: number }
  | { kind: "mkdir"; path: string }
  | { kind: "remove"; path: string; recursive: boolean }
  | { kind: "rename"; from: string; to: string }
  | { kind: "chmod"; path: string; mode: number };

/** The call as a shell line, quoted exactly as the words are passed; `sudo -n --` only where the
 *  executor adds it (not when nixi runs as root). */
export function describeCall(c: RecordedCall, sudo = true): string {
  switch (c.kind) {
    case "run":
      return (c.privileged && sudo ? "sudo -n -- " : "") + shJoin(c.argv);
    case "writeFile":
      return `write ${c.path}${c.mode !== undefined ? ` (mode ${c.mode.toString(8)})` : ""}`;
    case "mkdir":
      return `mkdir -p ${c.path}`;
    case "remove":
      return `rm ${c.recursive ? "-r " : ""}${c.path}`;
    case "rename":
      return `mv ${c.from} ${c.to}`;
    case "chmod":
      return `chmod ${c.mode.toString(8)} ${c.path}`;
  }
}

export class RecordingExecutor implements Executor {
  readonly calls: RecordedCall[] = [];
  readonly node: string;
  readonly description: string;

  get wrapsPrivileged(): boolean | undefined {
    return this.inner.wrapsPrivileged;
  }
  get refusesChanges(): boolean | undefined {
    return this.inner.refusesChanges;
  }

  constructor(private readonly inner: Executor) {
    this.node = inner.node;
    this.description = `${inner.description} (dry run)`;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (opts.readOnly) return this.inner.run(argv, opts);
    this.calls.push({ kind: "run", argv: [...argv], privileged: !!opts.privileged, hasInput: opts.input !== undefined });
    return { exitCode: 0, stdout: "", stderr: "" };
  }
  which(p: string) {
    return this.inner.which(p);
  }
  readFile(p: string) {
    return this.inner.readFile(p);
  }
  async writeFile(path: string, content: string, opts: WriteOptions = {}) {
    this.calls.push({ kind: "writeFile", path, mode: opts.mode, bytes: Buffer.byteLength(content) });
  }
  stat(p: string) {
    return this.inner.stat(p);
  }
  realpath(p: string) {
    return this.inner.realpath(p);
  }
  readdir(p: string) {
    return this.inner.readdir(p);
  }
  async mkdir(path: string) {
    this.calls.push({ kind: "mkdir", path });
    return true;
  }
  async remove(path: string, opts: { recursive?: boolean } = {}) {
    this.calls.push({ kind: "remove", path, recursive: !!opts.recursive });
  }
  async rename(from: string, to: string) {
    this.calls.push({ kind: "rename", from, to });
  }
  async chmod(path: string, mode: number) {
    this.calls.push({ kind: "chmod", path, mode });
  }
  /** Reads go to the machine in one batch; every change is recorded, step by step. */
  async batch(ops: BatchOp[], opts: BatchOptions = {}): Promise<BatchResult[]> {
    if (batchIsReadOnly(ops)) return this.inner.batch(ops, opts);
    return batchSteps(this, ops, !!opts.privileged, {
      link: async (from, to) => void this.calls.push({ kind: "run", argv: ["ln", "-f", "--", from, to], privileged: !!opts.privileged, hasInput: false }),
      rename: (from, to) => this.rename(from, to),
    });
  }
  execCount() {
    return this.inner.execCount();
  }
  close() {
    return this.inner.close();
  }
}
