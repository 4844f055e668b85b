// Adding `./nixi` to the `imports` of a hand-written configuration.nix, touching nothing else.
// A small Nix scanner: it knows comments, strings (with ${} interpolation), indented strings,
// brackets and words, which is all it takes to find the module's top-level attribute set and
// its `imports = [ ... ];` without rewriting the person's formatting.

export interface Token {
  kind: "punct" | "word" | "string";
  text: string;
  start: number;
  end: number;
}

export class NixScanError extends Error {}

const PUNCT = new Set(["{", "}", "[", "]", "(", ")", ";", "=", ":", "@", ","]);

/** Tokenise Nix source (comments and whitespace dropped). */
export function scan(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;

  // Skip code until the `}` closing an interpolation that started before `i`.
  const skipInterpolation = (from: number): number => {
    let depth = 1;
    let j = from;
    while (j < n) {
      const c = src[j];
      if (c === "#") {
        while (j < n && src[j] !== "\n") j++;
      } else if (c === "/" && src[j + 1] === "*") {
        const e = src.indexOf("*/", j + 2);
        if (e < 0) throw new NixScanError("unterminated comment");
        j = e + 2;
      } else if (c === '"') j = skipDq(j + 1);
      else if (c === "'" && src[j + 1] === "'") j = skipInd(j + 2);
      else if (c === "{") {
        depth++;
        j++;
      } else if (c === "}") {
        depth--;
        j++;
        if (depth === 0) return j;
      } else j++;
    }
    throw new NixScanError("unterminated ${ interpolation");
  };
  // After the opening quote; returns the index after the closing quote.
  const skipDq = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = src[j];
      if (c === "\\") j += 2;
      else if (c === '"') return j + 1;
      else if (c === "$" && src[j + 1] === "{") j = skipInterpolation(j + 2);
      else j++;
    }
    throw new NixScanError("unterminated string");
  };
  // After the opening ''; returns the index after the closing ''.
  const skipInd = (from: number): number => {
    let j = from;
    while (j < n) {
      if (src[j] === "'" && src[j + 1] === "'") {
        const next = src[j + 2];
        if (next === "'" || next === "$" || next === "\\") {
          j += next === "\\" ? 4 : 3; // ''' , ''$ , ''\x escapes
          continue;
        }
        return j + 2;
      }
      if (src[j] === "$" && src[j + 1] === "{") j = skipInterpolation(j + 2);
      else j++;
    }
    throw new NixScanError("unterminated indented string");
  };

  while (i < n) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const e = src.indexOf("*/", i + 2);
      if (e < 0) throw new NixScanError("unterminated comment");
      i = e + 2;
    } else if (c === '"') {
      const e = skipDq(i + 1);
      tokens.push({ kind: "string", text: src.slice(i, e), start: i, end: e });
      i = e;
    } else if (c === "'" && src[i + 1] === "'") {
      const e = skipInd(i + 2);
      tokens.push({ kind: "string", text: src.slice(i, e), start: i, end: e });
      i = e;
    } else if (c === "$" && src[i + 1] === "{") {
      const e = skipInterpolation(i + 2);
      tokens.push({ kind: "word", text: src.slice(i, e), start: i, end: e });
      i = e;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: "punct", text: c, start: i, end: i + 1 });
      i++;
    } else {
      let j = i;
      while (j < n && !/\s/.test(src[j]) && !PUNCT.has(src[j]) && src[j] !== '"' && src[j] !== "#" && !(src[j] === "/" && src[j + 1] === "*")) {
        if (src[j] === "$" && src[j + 1] === "{") break;
        j++;
      }
      if (j === i) j++;
      tokens.push({ kind: "word", text: src.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  return tokens;
}

const OPEN: Record<string, string> = { "{": "}", "[": "]", "(": ")" };

/** Index of the token closing the bracket opened at tokens[k]. */
function matching(tokens: Token[], k: number): number {
  const stack: string[] = [];
  for (let j = k; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind !== "punct") continue;
    if (OPEN[t.text]) stack.push(OPEN[t.text]);
    else if (t.text === "}" || t.text === "]" || t.text === ")") {
      if (stack.pop() !== t.text) throw new NixScanError(`unbalanced "${t.text}"`);
      if (stack.length === 0) return j;
    }
  }
  throw new NixScanError("unbalanced brackets");
}

export interface ModuleShape {
  /** Token index of the body's opening `{`. */
  bodyOpen: number;
  bodyClose: number;
  /** The `imports = [` list, when there is one at the top level of the body. */
  imports?: { open: number; close: number };
  /** `imports = <something that is not a list literal>`. */
  importsNotList?: boolean;
}

/** Find the module's attribute set (after an optional `{ config, pkgs, ... }:` header, `let ... in`, `with ...;`). */
export function moduleShape(tokens: Token[]): ModuleShape {
  let k = 0;
  const at = (j: number, text: string) => tokens[j]?.kind === "punct" && tokens[j].text === text;
  const word = (j: number, text?: string) => tokens[j]?.kind === "word" && (text === undefined || tokens[j].text === text);
  // Function headers: `{ ... }:`, `args@{ ... }:`, `{ ... }@args:`, `args:` (possibly several).
  for (;;) {
    if (at(k, "{")) {
      const close = matching(tokens, k);
      let after = close + 1;
      if (at(after, "@") && word(after + 1)) after += 2;
      if (at(after, ":")) {
        k = after + 1;
        continue;
      }
      break;
    }
    if (word(k) && at(k + 1, "@") && at(k + 2, "{")) {
      const close = matching(tokens, k + 2);
      if (at(close + 1, ":")) {
        k = close + 2;
        continue;
      }
      break;
    }
    if (word(k) && at(k + 1, ":")) {
      k += 2;
      continue;
    }
    if (word(k, "let")) {
      // skip bindings to the matching `in` (nested let/in counted)
      let depth = 0;
      let j = k;
      for (; j < tokens.length; j++) {
        if (tokens[j].kind === "punct" && OPEN[tokens[j].text]) {
          j = matching(tokens, j);
          continue;
        }
        if (word(j, "let")) depth++;
        else if (word(j, "in") && --depth === 0) break;
      }
      if (j >= tokens.length) throw new NixScanError("`let` without `in`");
      k = j + 1;
      continue;
    }
    if (word(k, "with") || word(k, "assert")) {
      let j = k + 1;
      while (j < tokens.length && !at(j, ";")) {
        if (tokens[j].kind === "punct" && OPEN[tokens[j].text]) j = matching(tokens, j);
        j++;
      }
      k = j + 1;
      continue;
    }
    if (word(k, "rec")) {
      k++;
      continue;
    }
    break;
  }
  if (!at(k, "{")) throw new NixScanError("the file is not a module whose body is an attribute set `{ ... }`");
  const bodyOpen = k;
  const bodyClose = matching(tokens, k);
  if (bodyClose !== tokens.length - 1) throw new NixScanError("there is more after the module's attribute set");
  const shape: ModuleShape = { bodyOpen, bodyClose };
  // Walk the top-level bindings: `name = value ;` / `inherit ... ;`
  let j = bodyOpen + 1;
  while (j < bodyClose) {
    const start = j;
    // find `=` or `;` at this level
    while (j < bodyClose && !at(j, "=") && !at(j, ";")) {
      if (tokens[j].kind === "punct" && OPEN[tokens[j].text]) j = matching(tokens, j);
      j++;
    }
    const isImports = at(j, "=") && j === start + 1 && (tokens[start].text === "imports" || tokens[start].text === '"imports"');
    if (at(j, "=")) j++;
    const valueStart = j;
    while (j < bodyClose && !at(j, ";")) {
      if (tokens[j].kind === "punct" && OPEN[tokens[j].text]) j = matching(tokens, j);
      j++;
    }
    if (isImports) {
      if (at(valueStart, "[")) shape.imports = { open: valueStart, close: matching(tokens, valueStart) };
      else shape.importsNotList = true;
    }
    j++; // past `;`
  }
  return shape;
}

/** Does this imports list already name the nixi folder? */
export function importsContain(src: string, tokens: Token[], list: { open: number; close: number }, candidates: string[]): boolean {
  const norm = (s: string) => s.replace(/\/+$/, "").replace(/\/default\.nix$/, "");
  const want = new Set(candidates.map(norm));
  for (let j = list.open + 1; j < list.close; j++) {
    const t = tokens[j];
    if (t.kind === "word" && want.has(norm(t.text))) return true;
    if (t.kind === "string" && t.text.startsWith('"') && want.has(norm(t.text.slice(1, -1)))) return true;
  }
  void src;
  return false;
}

/** Insert `entry` into the imports list (or a new `imports = [ entry ];`), keeping the file's layout. */
export function addImport(src: string, entry: string, alsoAccept: string[] = []): { text: string; changed: boolean; how: "present" | "appended" | "inserted" } {
  const tokens = scan(src);
  const shape = moduleShape(tokens);
  if (shape.importsNotList) {
    throw new NixScanError("`imports` is not a plain list `[ ... ]`");
  }
  if (shape.imports) {
    const { open, close } = shape.imports;
    if (importsContain(src, tokens, shape.imports, [entry, ...alsoAccept])) return { text: src, changed: false, how: "present" };
    const closeTok = tokens[close];
    const openTok = tokens[open];
    const lineStart = src.lastIndexOf("\n", closeTok.start - 1) + 1;
    const closeOnOwnLine = src.slice(lineStart, closeTok.start).trim() === "";
    if (closeOnOwnLine && src.slice(openTok.end, closeTok.start).includes("\n")) {
      // Multi-line list: a new line before `]`, indented like the last item (or the `]` plus two spaces).
      const last = close - 1 > open ? tokens[close - 1] : null;
      let indent: string;
      if (last) {
        const ls = src.lastIndexOf("\n", last.start - 1) + 1;
        const lead = src.slice(ls, last.start);
        indent = /^\s*$/.test(lead) ? lead : (src.slice(lineStart, closeTok.start) + "  ");
      } else indent = src.slice(lineStart, closeTok.start) + "  ";
      const text = src.slice(0, lineStart) + indent + entry + "\n" + src.slice(lineStart);
      return { text, changed: true, how: "appended" };
    }
    // Single-line list (or `]` after the last item): put the entry before `]`.
    const before = src.slice(0, closeTok.start);
    const trimmed = before.replace(/[ \t]+$/, "");
    const empty = close === open + 1;
    const text = trimmed + (empty && trimmed.endsWith("[") ? " " : " ") + entry + " " + src.slice(closeTok.start);
    return { text, changed: true, how: "appended" };
  }
  // No imports: insert one right after the body's `{`, indented like the first binding.
  const openTok = tokens[shape.bodyOpen];
  const nextTok = tokens[shape.bodyOpen + 1];
  let indent = "  ";
  if (nextTok && nextTok !== tokens[shape.bodyClose]) {
    const ls = src.lastIndexOf("\n", nextTok.start - 1) + 1;
    const lead = src.slice(ls, nextTok.start);
    if (ls > openTok.start && /^[ \t]*$/.test(lead)) indent = lead;
  }
  const text = src.slice(0, openTok.end) + `\n${indent}imports = [ ${entry} ];\n` + src.slice(openTok.end).replace(/^[ \t]*\n/, "");
  return { text, changed: true, how: "inserted" };
}
