// Interactive prompts on the terminal; @inquirer/prompts is loaded only when a question is asked.
import type { IO, Prompter } from "./context.js";
import { registerSecret } from "./redact.js";

export function ttyPrompter(io: IO): Prompter {
  const streams = { input: io.stdin as NodeJS.ReadableStream, output: io.stderr as NodeJS.WritableStream };
  return {
    async confirm(message) {
      const { confirm } = await import("@inquirer/prompts");
      return confirm({ message, default: false }, streams as any);
    },
    async password(message) {
      const { password } = await import("@inquirer/prompts");
      const v = await password({ message, mask: "*" }, streams as any);
      registerSecret(v);
      return v;
    },
    async input(message) {
      const { input } = await import("@inquirer/prompts");
      return input({ message }, streams as any);
    },
  };
}
