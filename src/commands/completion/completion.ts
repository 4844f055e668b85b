import { readFile } from "node:fs/promises";
import { defineCommand } from "../../core/command.js";
import { checked } from "../../core/check.js";
import { NixiError } from "../../core/errors.js";

const FILES = { bash: "nixi.bash", zsh: "_nixi", fish: "nixi.fish" } as const;
type Shell = keyof typeof FILES;

const ShellName = checked((s): Shell => {
  if (!(s in FILES)) throw new Error("not a shell nixi has completions for (bash, zsh or fish)");
  return s as Shell;
});

/** The committed script: completions/ next to dist/ (the bundle) or src/ (running from source). */
async function script(shell: Shell): Promise<{ file: string; text: string }> {
  for (const rel of ["../completions/", "../../../completions/"]) {
    const url = new URL(rel + FILES[shell], import.meta.url);
    try {
      return { file: url.pathname, text: await readFile(url, "utf8") };
    } catch (e: any) {
      if (e.code !== "ENOENT") throw e;
    }
  }
  throw new NixiError("FAILED", `the ${shell} completion script (completions/${FILES[shell]}) is missing from this installation`);
}

export default defineCommand<{ shell: Shell }, { shell: Shell; file: string; bytes: number }>({
  path: ["completion"],
  summary: "Print the shell completion script for bash, zsh or fish",
  description:
    "The same script as completions/ in the package (installed by the Nix package into the shells' standard folders). " +
    "bash: `source <(nixi completion bash)` in ~/.bashrc; zsh: `nixi completion zsh > ~/.zfunc/_nixi` with ~/.zfunc on fpath; " +
    "fish: `nixi completion fish > ~/.config/fish/completions/nixi.fish`.",
  risk: "read",
  controllerOnly: true,
  args: [{ name: "shell", description: "bash, zsh or fish", schema: ShellName }],
  examples: ["nixi completion bash", "source <(nixi completion bash)", "nixi completion fish > ~/.config/fish/completions/nixi.fish"],
  jsonFields: ["shell", "file", "bytes"],
  async run(ctx, { shell }) {
    const { file, text } = await script(shell);
    // Written as is, not through the human/JSON output: those redact `secret=...`-looking text,
    // which the zsh specs of the --env-secret flags look like. The script is a package file, no secret.
    if (!ctx.flags.json) ctx.io.stdout.write(text);
    return { shell, file, bytes: Buffer.byteLength(text) };
  },
  render() {},
});
