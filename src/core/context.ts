// Everything a command may use, injected: tests build a Ctx with fakes.
import type { Executor } from "./executor.js";
import type { Config } from "./config.js";

export interface IO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour allowed (TTY, no NO_COLOR, TERM!=dumb, no --no-color). */
  color: boolean;
}

export interface GlobalFlags {
  json: boolean;
  yes: boolean;
  dryRun: boolean;
  noRebuild: boolean;
  noInput: boolean;
  noColor: boolean;
  quiet: boolean;
  verbose: boolean;
  root: string;
  config?: string;
  nodes: string[];
  allNodes: boolean;
  /** --tag: nodes whose inventory tags include any of these. */
  tags: string[];
  parallel?: number;
  /** --force: override a safety check that refuses the change (never set by ask). */
  force: boolean;
  /** --no-safe-apply: a remote switch without the armed revert (docs/remote.md). */
  noSafeApply?: boolean;
  /** --rolling N / --max-fail K: waves and the stop rule of a change on several nodes. */
  rolling?: number;
  maxFail?: number;
  /** --insecure: accept a change whose plan has insecure-request findings (never set by ask). */
  insecure: boolean;
}

export interface Prompter {
  /** Yes/no question, default No. */
  confirm(message: string): Promise<boolean>;
  /** Masked input (passwords, secret env values). */
  password(message: string): Promise<string>;
  /** Free text (e.g. "type the container name to confirm"). */
  input(message: string): Promise<string>;
}

export interface Ctx {
  io: IO;
  exec: Executor;
  /** Filesystem root the local executor works under ("/" normally; --root DIR in tests). */
  root: string;
  config: Config;
  flags: GlobalFlags;
  env: NodeJS.ProcessEnv;
  clock: () => Date;
  prompter: Prompter;
  /** Node this run targets ("local" or an inventory name). */
  node: string;
  /** The command catalog this run was parsed with (`nixi ask` runs other commands through it). */
  catalog?: import("./meta.js").Catalog;
  /** Whether prompts are possible: stdin and stdout are TTYs and --no-input is not set. */
  interactive: boolean;
  /** Progress/log line to stderr (redacted; suppressed by -q). */
  log(message: string): void;
  /** Verbose-only line to stderr. */
  debug(message: string): void;
  /** Warning: collected into the envelope's warnings and printed to stderr in human mode. */
  warn(message: string): void;
  /** Read all of stdin (for --*-file - and piped secrets). */
  readStdin(): Promise<string>;
  /** The text of a file named by a flag (--env-file, --key-file, ...): a file where nixi runs, not
   *  on the target node; "-" is stdin. An unreadable file is exit 2 naming the flag and the file. */
  readInputFile(flag: string, path: string): Promise<string>;
}
