// A secret typed into the request ("with password hunter2", "token ghp_...") never leaves nixi:
// it is replaced by a placeholder before the request is sent, registered for redaction, and
// offered to the masked prompt of the step that needs it (shown masked, confirmed by the person).
import type { Prompter } from "../core/context.js";
import { redact, registerSecret } from "../core/redact.js";

// "password hunter2", "password is hunter2", "password: hunter2", "token=abc", "pw hunter2"
const AFTER_KEYWORD = /\b(pass(?:word|wd|phrase)?|pw|pwd|secret|token|api[ _-]?key|access[ _-]?key|credentials?)\b(\s*(?:is|=|:|of|to)?\s*)(["']?)([^\s"']{3,})\3/gi;
const NOT_A_VALUE = /^(for|the|a|an|and|or|from|with|as|in|on|of|to|is|it|that|prompt|prompted|masked|secret|later|env|variable|file)$/i;

export interface ScrubbedRequest {
  text: string;
  secrets: string[];
}

export function scrubRequest(request: string): ScrubbedRequest {
  const secrets: string[] = [];
  const placeholder = (v: string) => {
    let i = secrets.indexOf(v);
    if (i < 0) {
      secrets.push(v);
      registerSecret(v);
      i = secrets.length - 1;
    }
    return `<secret-${i + 1}>`;
  };
  let text = request.replace(AFTER_KEYWORD, (m, key, sep, q, raw: string) => {
    // "password to hunter2; then ...": the sentence's punctuation is not part of the value (both forms are masked)
    const value = q ? raw : raw.replace(/[.,;:!?)\]]+$/, "");
    if (value.length < 3 || NOT_A_VALUE.test(value) || /^<secret-\d+>$/.test(value)) return m;
    if (value !== raw) registerSecret(raw);
    return `${key}${sep}${placeholder(value)}${raw.slice(value.length)}`;
  });
  // anything else the output redaction would hide (token shapes, key=value, URL credentials)
  text = text
    .split(/(\s+)/)
    .map((w) => {
      if (/^\s+$/.test(w) || /^<secret-\d+>$/.test(w)) return w;
      const r = redact(w);
      if (r === w) return w;
      const stripped = w.replace(/^["'(]+|[)"'.,;!?]+$/g, "");
      const eq = stripped.search(/[=:]/);
      const value = eq > 0 && redact(stripped.slice(0, eq + 1) + "x") !== stripped.slice(0, eq + 1) + "x" ? stripped.slice(eq + 1) : stripped;
      return value.length >= 3 ? w.replace(value, placeholder(value)) : w.replace(stripped, "***");
    })
    .join("");
  return { text, secrets };
}

/** The step's prompter: a masked question first offers a secret from the request, if the person confirms it. */
export function offeringPrompter(inner: Prompter, secrets: string[], used: Set<number>): Prompter {
  return {
    confirm: (m) => inner.confirm(m),
    input: (m) => inner.input(m),
    async password(message) {
      for (let i = 0; i < secrets.length; i++) {
        if (used.has(i)) continue;
        const masked = "*".repeat(Math.min(secrets[i].length, 12));
        if (await inner.confirm(`${message} use the secret from your request (<secret-${i + 1}> = ${masked})?`)) {
          used.add(i);
          return secrets[i];
        }
      }
      return inner.password(message);
    },
  };
}
