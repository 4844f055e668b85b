// POSIX quoting: unit cases plus a property test through real shells (dash and bash).
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { shJoin, shQuote, shAssign } from "../../src/exec/quote.js";

/** Run a command line in a real shell and get back the words printf saw. */
function words(shell: string, line: string): string[] {
  const out = execFileSync(shell, ["-c", line], { encoding: "utf8" });
  const parts = out.split("\0");
  parts.pop();
  return parts;
}

describe("shQuote", () => {
  it("leaves plain words alone and single-quotes everything else", () => {
    expect(shQuote("nixos-rebuild")).toBe("nixos-rebuild");
    expect(shQuote("/srv/web/data")).toBe("/srv/web/data");
    expect(shQuote("a=b")).toBe("a=b");
    expect(shQuote("")).toBe("''");
    expect(shQuote("a b")).toBe("'a b'");
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(shQuote("$(id)")).toBe("'$(id)'");
    expect(shQuote("~root")).toBe("'~root'");
    expect(shQuote("=cmd")).toBe("'=cmd'");
  });
  it("refuses NUL bytes", () => {
    expect(() => shQuote("a\0b")).toThrow(/NUL/);
  });
  it("quotes the command word when it could be an assignment or a reserved word", () => {
    expect(shJoin(["FOO=bar", "x"])).toBe("'FOO=bar' x");
    expect(shJoin(["if", "x"])).toBe("'if' x");
    expect(shJoin(["printf", "%s", "if"])).toBe("printf %s if");
  });
  it("builds assignments with plain names only", () => {
    expect(shAssign({ LC_ALL: "C", X: "a b" })).toEqual(["LC_ALL=C", "X='a b'"]);
    expect(() => shAssign({ "A;B": "x" })).toThrow(/not a valid environment variable name/);
  });
});

describe("shJoin through real shells (property)", () => {
  const specials = ["'", '"', "\\", "$", "`", "(", ")", ";", "&", "|", "<", ">", "*", "?", "[", "]", "{", "}", "~", "#", "!", "=", " ", "\t", "\n", "\r", "%", "^", "é", "✓", "\x01", "\x7f", "-", "--", "a", "Z", "0"];
  // deterministic pseudo-random generator so failures are reproducible
  let seed = 0x5eed;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const word = () => Array.from({ length: rnd(12) }, () => specials[rnd(specials.length)]).join("");
  const cases: string[][] = [
    ["$(touch /tmp/nixi-quote-canary)", "`id`", "a;b", "'\"'", "x\ny", "", " ", "*", "${HOME}", "!!"],
    ...Array.from({ length: 150 }, () => Array.from({ length: 1 + rnd(6) }, word)),
  ];
  for (const shell of ["/bin/sh", "/bin/bash"]) {
    it(`${shell}: every word comes back byte-exact, nothing expands (${cases.length} cases)`, () => {
      // one shell process for all cases keeps this fast: each case prints its words then a marker
      const line = cases.map((c) => shJoin(["printf", "%s\\0", ...c]) + "; printf 'END\\0'").join("\n");
      const got = words(shell, line);
      const back: string[][] = [];
      let cur: string[] = [];
      for (const w of got) {
        if (w === "END") {
          back.push(cur);
          cur = [];
        } else cur.push(w);
      }
      expect(back).toEqual(cases);
    });
  }
});
