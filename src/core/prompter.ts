// Interactive prompts on the terminal; @inquirer/prompts is loaded only when a question is asked.
import type { IO, Prompter } from "./context.js";
import { registerSecret } from "./redact.js";
import { NixiError } from "./errors.js";
import { namedExports } from "./lazy-import.js";

/** Ctrl-C (or a closed terminal) at a prompt declines: exit 3, nothing changed. */
async function interruptible<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (e: any) {
    if (e?.name === "ExitPromptError" || e?.name === "AbortPromptError") throw new NixiError("DECLINED", "interrupted: nothing was changed");
    throw e;
  }
}

export function ttyPrompter(io: IO): Prompter {
  // io.stdin only when a prompt runs: making process.stdin costs every command that never asks
  const streams = {
    get input() {
      return io.stdin as NodeJS.ReadableStream;
    },
    output: io.stderr as NodeJS.WritableStream,
  };
  return {
    confirm: (message) =>
      interruptible(async () => {
        const { confirm } = await namedExports(import("@inquirer/prompts"));
        return confirm({ message, default: false }, streams as any);
      }),
    password: (message) =>
      interruptible(async () => {
        const { password } = await namedExports(import("@inquirer/prompts"));
        const v = await password({ message, mask: "*" }, streams as any);
        registerSecret(v);
        return v;
      }),
    input: (message) =>
      interruptible(async () => {
        const { input } = await namedExports(import("@inquirer/prompts"));
        return input({ message }, streams as any);
      }),
  };
}
