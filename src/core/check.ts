// A validator with zod's safeParse shape, for the commands on the start-up-critical paths
// (fw open/close): a plain function instead of zod, so those commands never load its 580 KB.
// ArgSpec/FlagSpec `schema` accepts either (src/core/command.ts: Validator).

export interface Validator<T = unknown> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

/** A Validator that also has zod's throwing `parse`. */
export interface Checked<T> extends Validator<T> {
  parse(value: unknown): T;
}

/** `parse` returns the value or throws an Error whose message says what is wrong. */
export function checked<T>(parse: (raw: string) => T): Checked<T> {
  return {
    parse(value) {
      if (typeof value !== "string") throw new Error("expected text");
      return parse(value);
    },
    safeParse(value) {
      if (typeof value !== "string") return { success: false, error: { issues: [{ message: "expected text" }] } };
      try {
        return { success: true, data: parse(value) };
      } catch (e: any) {
        return { success: false, error: { issues: [{ message: String(e?.message ?? e) }] } };
      }
    },
  };
}

/** A string matching `re`, else `message`. */
export const matching = (re: RegExp, message: string): Checked<string> =>
  checked((s) => {
    if (!re.test(s)) throw new Error(message);
    return s;
  });
