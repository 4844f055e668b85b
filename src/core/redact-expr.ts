// Finding where the value after `secretKey =` ends in Nix text, so that redaction masks the whole
// value expression (a list, an interpolation, `builtins.toString "X"`, a `let ... in`, a comment
// before the string), not only a leading string literal. A tiny lexer: strings ("..." and ''...''
// with ${...}), comments, brackets and let/in. Bounded: it gives up after MAX_SCAN characters.

const MAX_SCAN = 20_000;

/** Index just past a "..." string whose opening quote is at i - 1; -1 when unterminated. */
function skipDq(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if (c === "$" && s[i + 1] === "{") {
      const j = scanExpr(s, i + 2, "}", end);
      if (j < 0) return -1;
      i = j + 1;
    } else i++;
  }
  return -1;
}

/** Index just past an ''indented string'' whose opening '' ends at i; -1 when unterminated. */
function skipInd(s: string, i: number, end: number): number {
  while (i < end) {
    if (s.startsWith("''", i)) {
      const next = s[i + 2];
      if (next === "'" || next === "$") i += 3;
      else if (next === "\\") i += 4;
      else return i + 2;
    } else if (s[i] === "$" && s[i + 1] === "{") {
      const j = scanExpr(s, i + 2, "}", end);
      if (j < 0) return -1;
      i = j + 1;
    } else i++;
  }
  return -1;
}

/**
 * Scan a Nix expression from i; return the index of `stop` (";" or the "}" closing an interpolation)
 * at bracket depth 0 outside any `let ... in`, or -1 when the text ends first or a bracket closes
 * that this expression did not open.
 */
export function scanExpr(s: string, i: number, stop: ";" | "}", end = Math.min(s.length, i + MAX_SCAN)): number {
  let depth = 0;
  let lets = 0;
  while (i < end) {
    const c = s[i];
    if (c === "#") {
      const nl = s.indexOf("\n", i);
      i = nl < 0 ? end : nl + 1;
    } else if (c === "/" && s[i + 1] === "*") {
      const close = s.indexOf("*/", i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else if (c === '"') {
      i = skipDq(s, i + 1, end);
      if (i < 0) return -1;
    } else if (c === "'" && s[i + 1] === "'") {
      i = skipInd(s, i + 2, end);
      if (i < 0) return -1;
    } else if (c === "{" || c === "[" || c === "(") {
      depth++;
      i++;
    } else if (c === "}" || c === "]" || c === ")") {
      if (depth === 0) return c === stop && lets === 0 ? i : -1;
      depth--;
      i++;
    } else if (c === ";" && depth === 0 && lets === 0 && stop === ";") {
      return i;
    } else if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_'-]/.test(s[i - 1] ?? " ")) {
      const word = /^[A-Za-z_][A-Za-z0-9_'-]*/.exec(s.slice(i, i + 64))![0];
      if (word === "let") lets++;
      else if (word === "in" && lets > 0) lets--;
      i += word.length;
    } else i++;
  }
  return -1;
}

/** Start of a value that only Nix writes (and may continue over several lines). */
export const NIX_VALUE_START = /^(\[|\{|\(|let\b|with\b|if\b|builtins\.|lib\.|import\b|#|\/\*|''|"[^"\n]*\$\{)/;
