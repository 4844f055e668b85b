// Secret environment values: read from a masked prompt, an --env-file, or stdin — never from argv —
// and written only to /srv/.credentials/<name>.env (mode 600) which the container reads through
// oci-containers `environmentFiles`. Values are registered with the redactor as soon as they are read.
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { registerSecret } from "../core/redact.js";
import { ENV_KEY_RE } from "./validate.js";

/** KEY=VALUE lines; '#' comments, blank lines and `export ` are allowed; one pair of surrounding quotes is removed. */
export function parseDotenv(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s*export\s+/, "");
    if (/^\s*(#|$)/.test(line)) return;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line.trim() : line.slice(0, eq).trim();
    if (eq < 0 || !ENV_KEY_RE.test(key)) {
      throw new NixiError("INVALID_ARGUMENT", `${source}:${i + 1}: expected KEY=VALUE${ENV_KEY_RE.test(key) ? "" : " with a valid variable name"}`);
    }
    let value = line.slice(eq + 1);
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1);
    out.set(key, value);
  });
  return out;
}

/** The credentials file: sorted KEY=VALUE lines. */
export function renderEnvFile(name: string, values: Map<string, string>): string {
  const keys = [...values.keys()].sort();
  return `# nixi: secret environment of container ${name} (root only; referenced by environmentFiles)\n` + keys.map((k) => `${k}=${values.get(k)}\n`).join("");
}

function checkValue(key: string, value: string): void {
  if (value === "") throw new NixiError("INVALID_ARGUMENT", `the secret value for ${key} is empty`);
  if (/[\n\r\0]/.test(value)) throw new NixiError("INVALID_ARGUMENT", `the secret value for ${key} contains a line break or NUL byte, which an environment file cannot hold`);
}

/**
 * Values for `keys` (from --env-secret) and/or every key of --env-file.
 * Order of sources: --env-file FILE ("-" = stdin); stdin when it is not a terminal (one key: the whole
 * input is the value; several keys: KEY=VALUE lines); a masked prompt per key when interactive.
 * Under --dry-run nothing is asked: the plan never shows secret contents anyway.
 */
export async function readSecrets(ctx: Ctx, keys: string[], envFile?: string): Promise<Map<string, string>> {
  const wanted = [...new Set(keys)];
  const out = new Map<string, string>();
  if (envFile !== undefined) {
    const values = parseDotenv(await ctx.readInputFile("--env-file", envFile), envFile === "-" ? "stdin" : envFile);
    for (const v of values.values()) registerSecret(v);
    const use = wanted.length ? wanted : [...values.keys()];
    for (const k of use) {
      if (!values.has(k)) throw new NixiError("INVALID_ARGUMENT", `--env-secret ${k}: no ${k}= line in ${envFile === "-" ? "stdin" : envFile}`);
      out.set(k, values.get(k)!);
    }
  } else if (wanted.length) {
    if (ctx.flags.dryRun && ctx.io.stdinIsTTY) {
      for (const k of wanted) out.set(k, "\0dry-run");
      return out;
    }
    if (!ctx.io.stdinIsTTY) {
      const text = await ctx.readStdin();
      if (wanted.length === 1) {
        out.set(wanted[0], text.replace(/\r?\n$/, ""));
      } else {
        const values = parseDotenv(text, "stdin");
        for (const v of values.values()) registerSecret(v);
        for (const k of wanted) {
          if (!values.has(k)) throw new NixiError("INVALID_ARGUMENT", `--env-secret ${k}: no ${k}= line on stdin`, "with several --env-secret keys, stdin holds KEY=VALUE lines");
          out.set(k, values.get(k)!);
        }
      }
    } else if (ctx.interactive) {
      for (const k of wanted) out.set(k, await ctx.prompter.password(`Value for ${k} (hidden)`));
    } else {
      throw new NixiError("INVALID_ARGUMENT", `--env-secret ${wanted.join(", ")} needs a value and prompts are off (--no-input)`, "pipe the value on stdin or use --env-file FILE");
    }
  }
  for (const [k, v] of out) {
    registerSecret(v);
    if (v !== "\0dry-run") checkValue(k, v);
  }
  return out;
}
