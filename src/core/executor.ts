// The Executor is the only way a command touches a machine: processes and files.
// Paths are machine paths ("/etc/nixos/nixi/state.toml"); the executor maps them
// (the local one prefixes --root, the SSH one works on the remote "/").

export interface RunOptions {
  /** Data written to the program's stdin (secrets travel here, never on argv). */
  input?: string;
  /** Kill the program after this many milliseconds (result has timedOut: true). */
  timeoutMs?: number;
  /** Needs root: wrapped in `sudo -n` when the executor is not root. */
  privileged?: boolean;
  /** The caller promises this call changes nothing. Monitored executors run only such calls
   *  (and check argv against their own read-only allow-list as well). Default false. */
  readOnly?: boolean;
  /** Extra environment variables for the program. */
  env?: Record<string, string>;
  /** Working directory (machine path). */
  cwd?: string;
  /** The program works only on files under `cwd` (git in /etc/nixos): under --root DIR it is
   *  pointed into DIR and may run without NIXI_ROOT_EXEC=1 (exec/root-guard.ts). */
  cwdOnly?: boolean;
  /** Stream output lines as they arrive (for --follow); result still collects them. */
  onStdout?: (chunk: string) => void;
  /** The same for stderr (rebuild progress). */
  onStderr?: (chunk: string) => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  /** The program was not found on PATH. */
  notFound?: boolean;
  /** Not run: --root DIR without NIXI_ROOT_EXEC=1 (the program would read the host, not DIR). */
  notRunUnderRoot?: boolean;
}

export interface FileStat {
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  mode: number;
  mtimeMs: number;
}

export interface WriteOptions {
  /** File mode, e.g. 0o600. */
  mode?: number;
  privileged?: boolean;
}

export interface Executor {
  /** Node name this executor reaches ("local" for the controller). */
  readonly node: string;
  /** Human description (for logs): "local", "ssh nixi@10.0.0.2:22", ... */
  readonly description: string;
  /** Privileged calls are wrapped in `sudo -n` (false when nixi runs as root; default true). */
  readonly wrapsPrivileged?: boolean;
  /** Every call that changes something is refused (a monitored node). */
  readonly refusesChanges?: boolean;
  /** Run argv (never a shell string). Resolves with the exit code; does not throw on non-zero exit. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Is `program` on PATH? Returns its path or null. */
  which(program: string): Promise<string | null>;
  /** Returns null when the file does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Atomic: temp file in the same folder, fsync, rename. Creates parent folders. */
  writeFile(path: string, content: string, opts?: WriteOptions): Promise<void>;
  /** Returns null when nothing is there. Does not follow a final symlink (lstat). */
  stat(path: string): Promise<FileStat | null>;
  /** Resolve symlinks and `..` on the machine; null when the path does not exist. */
  realpath(path: string): Promise<string | null>;
  readdir(path: string): Promise<string[]>;
  /** mkdir -p; with exclusive: true, a single mkdir that returns false when the folder exists (used as a lock). */
  mkdir(path: string, opts?: { exclusive?: boolean; mode?: number; privileged?: boolean }): Promise<boolean>;
  /** rm (-r when recursive); missing paths are fine. Without recursive, an empty folder is
   *  removed (rmdir) and a non-empty one is left alone. */
  remove(path: string, opts?: { recursive?: boolean; privileged?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Several file operations in one round trip (see BatchOp); stops at the first failing step. */
  batch(ops: BatchOp[], opts?: BatchOptions): Promise<BatchResult[]>;
  /** Programs started on the machine so far (ssh: exec channels; local: spawned processes). */
  execCount(): number;
  /** Release connections. */
  close(): Promise<void>;
}

/** One step of a batch: several file operations in one round trip to the machine (issue 11). */
export type BatchOp =
  /** optional: a failure other than "no such file" (e.g. sudo refusing a path) is reported in
   *  `error` with ok: true and no content, and does not stop the batch. */
  | { op: "read"; path: string; optional?: boolean }
  | { op: "stat"; path: string; optional?: boolean }
  /** Is something there? Checked without privileges (for folders outside nixi's own, like /etc/nixos). */
  | { op: "exists"; path: string }
  | { op: "write"; path: string; content: string; mode?: number }
  | { op: "remove"; path: string; recursive?: boolean }
  | { op: "mkdir"; path: string; mode?: number }
  /** Remove an empty folder; a folder that is not empty or not there is fine (never fails). */
  | { op: "rmdir"; path: string }
  /** Hard-link `from` to `to` (replacing `to`; nothing when both are the same file): keeps a
   *  generation of a file without needing new disk space. */
  | { op: "link"; from: string; to: string }
  /** rename(2) `from` over `to`; nothing when both are already the same file. Needs no space. */
  | { op: "rename"; from: string; to: string }
  /** Exclusive mkdir of a lock folder, then `holder` written into `<path>/holder`. When the lock is
   *  held, the result has held: true and the holder's text, and the batch stops there. `created`
   *  lists the folders on the way that did not exist (outermost first). */
  | { op: "lock"; path: string; holder: string };

export interface BatchResult {
  ok: boolean;
  /** read: the content (null: absent). lock (held): the holder's text. */
  content?: string | null;
  stat?: FileStat | null;
  exists?: boolean;
  held?: boolean;
  created?: string[];
  /** Why the step failed (the batch stops at the first failure; later steps are not run). */
  error?: string;
  /** The step did not run because an earlier one failed. */
  skipped?: boolean;
}

export interface BatchOptions {
  privileged?: boolean;
}
