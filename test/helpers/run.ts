// Run nixi the way a person at a shell does: the real CLI entry, real argv parsing.
// run(): in-process (fast; stdin/TTY flags injectable). runBin(): a real `bin/nixi` process.
import { PassThrough, Readable } from "node:stream";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli.js";
import { SOURCE_CATALOG } from "../../src/commands/registry.js";
import type { Prompter } from "../../src/core/context.js";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = `${REPO}bin/nixi`;

export interface RunOptions {
  /** Extra environment (merged over a clean copy of process.env). */
  env?: Record<string, string | undefined>;
  /** Folders put first on PATH (fake programs). */
  path?: string[];
  stdin?: string;
  tty?: boolean;
  prompter?: Prompter;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Parsed stdout when it is JSON. */
  json: any;
}

/** Split like a shell would for simple test command lines ("..." and '...' quoting). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2] ?? m[3]);
  return out;
}

function testEnv(opts: RunOptions): NodeJS.ProcessEnv {
  // Tests run under --root with fakes on PATH: they opt in to running programs there (docs/engine.md).
  // A test proving the refusal passes env: { NIXI_ROOT_EXEC: undefined }.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", NIXI_ROOT_EXEC: "1", ...opts.env };
  // Tests never read the developer's own inventory unless they ask for it.
  if (!opts.env || !("NIXI_CONFIG" in opts.env)) env.NIXI_CONFIG = "/nonexistent/nixi-test-config.toml";
  if (opts.path?.length) env.PATH = [...opts.path, env.PATH].join(":");
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

function parseJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export async function run(cmd: string | string[], opts: RunOptions = {}): Promise<RunResult> {
  const argv = Array.isArray(cmd) ? cmd : splitArgs(cmd);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  const stdin = Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []);
  const exitCode = await main(argv, {
    env: testEnv(opts),
    io: { stdout, stderr, stdin, stdinIsTTY: !!opts.tty, stdoutIsTTY: !!opts.tty, stderrIsTTY: !!opts.tty, color: false },
    prompter: opts.prompter,
    catalog: SOURCE_CATALOG,
  });
  return { exitCode, stdout: out, stderr: err, json: parseJson(out) };
}

/** Spawn the built CLI (run `npm run build` first; `npm test` does). */
export function runBin(cmd: string | string[], opts: RunOptions & { prefix?: string[]; timeoutMs?: number } = {}): Promise<RunResult> {
  const argv = Array.isArray(cmd) ? cmd : splitArgs(cmd);
  const full = [...(opts.prefix ?? []), process.execPath, BIN, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(full[0], full.slice(1), { env: testEnv(opts), stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout: out, stderr: err, json: parseJson(out) });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}

/** A scripted prompter for interactive paths; fails the test on an unexpected question. */
export function scriptedPrompter(answers: { confirm?: boolean[]; password?: string[]; input?: string[] }): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const take = <T>(list: T[] | undefined, kind: string, message: string): T => {
    asked.push(`${kind}: ${message}`);
    if (!list || list.length === 0) throw new Error(`unexpected ${kind} prompt: ${message}`);
    return list.shift()!;
  };
  return {
    asked,
    confirm: async (m) => take(answers.confirm, "confirm", m),
    password: async (m) => take(answers.password, "password", m),
    input: async (m) => take(answers.input, "input", m),
  };
}
