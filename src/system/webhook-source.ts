// Where system health's webhook URL comes from: --webhook-file FILE (first non-empty line; "-" =
// stdin), else --webhook URL, else `webhook` under [health] in config.toml. The URL usually is a
// capability (the token is in it): it is registered with the redactor whatever its source, and a
// URL given on argv gets a warning (other users see it in ps; in a timer it lands in the Nix store).
import type { Ctx } from "../core/context.js";
import { NixiError } from "../core/errors.js";
import { registerSecret } from "../core/redact.js";
import { urlHoldsToken } from "./webhook.js";

const URL_OK = /^https?:\/\/[^\s]+$/;

function check(url: string, where: string): string {
  if (!URL_OK.test(url)) throw new NixiError("INVALID_ARGUMENT", `${where} does not hold an http:// or https:// URL`, "one line with the URL, e.g. https://hooks.example.org/...");
  return url;
}

export async function resolveWebhook(ctx: Ctx, flagUrl: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (flagUrl !== undefined && file !== undefined) throw new NixiError("INVALID_ARGUMENT", "give --webhook or --webhook-file, not both");
  if (file !== undefined) {
    const text = await ctx.readInputFile("--webhook-file", file);
    const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#")) ?? "";
    registerSecret(line);
    return check(line, `--webhook-file ${file === "-" ? "(stdin)" : file}`);
  }
  if (flagUrl !== undefined) {
    registerSecret(flagUrl);
    let path = "";
    try {
      const u = new URL(flagUrl);
      path = u.pathname.replace(/\/+$/, "") + u.search;
    } catch {
      /* the flag's schema already checked the shape */
    }
    if (urlHoldsToken(flagUrl) || path !== "") {
      ctx.warn("the --webhook URL is on the command line, where other users can read it (ps, shell history; in a timer's command also state.toml and the Nix store): use --webhook-file FILE or `webhook` under [health] in config.toml");
    }
    return flagUrl;
  }
  const raw = (ctx.config.raw.health ?? {}) as Record<string, unknown>;
  if (raw.webhook === undefined) return undefined;
  if (typeof raw.webhook !== "string") throw new NixiError("CONFIG_INVALID", "config.toml [health] webhook must be a string (an http:// or https:// URL)");
  registerSecret(raw.webhook);
  return check(raw.webhook, "config.toml [health] webhook");
}
