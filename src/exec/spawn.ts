// Running a program on this machine and collecting its output (the local executor's run).
import type { RunResult } from "../core/executor.js";
import { nodeChildProcess } from "../core/builtins.js";

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

/** argv only, never a shell; stdin only with `input`; SIGTERM then SIGKILL (2 s) on timeout. */
export async function spawnCollect(full: string[], opts: SpawnOptions): Promise<RunResult> {
  // node:child_process rather than execa: execa costs ~40 ms of CPU to load (docs/engine.md).
  const { spawn } = nodeChildProcess();
  return new Promise((resolve) => {
    const child = spawn(full[0], full.slice(1), {
      env: opts.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let notFound = false;
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      opts.onStdout?.(c);
    });
    child.stderr!.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      opts.onStderr?.(c);
    });
    if (opts.input !== undefined) {
      child.stdin!.on("error", () => {}); // the program may exit without reading its input
      child.stdin!.end(opts.input);
    }
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 2000).unref();
        }, opts.timeoutMs)
      : null;
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") notFound = true;
      else stderr += e.message;
    });
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({
        exitCode: notFound ? 127 : code ?? (timedOut ? 124 : 1),
        stdout,
        stderr: stderr || (notFound ? `${full[0]}: command not found` : ""),
        ...(timedOut ? { timedOut } : {}),
        ...(notFound ? { notFound } : {}),
      });
    });
  });
}

/** The argv the local executor runs for a call: `sudo -n --` in front of a privileged one when not root. */
export function localArgv(argv: string[], privileged: boolean, sudo: boolean): string[] {
  return privileged && sudo ? ["sudo", "-n", "--", ...argv] : argv;
}

export const notRoot = (): boolean => typeof process.getuid === "function" && process.getuid() !== 0;
