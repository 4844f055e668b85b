// POSIX shell quoting: argv -> one command line that a POSIX shell (sh, bash, dash, zsh in sh mode)
// splits back into exactly the same words, with nothing expanded or executed.
// Every word that is not made only of plainly safe characters is wrapped in single quotes;
// a single quote inside becomes '\'' (close, escaped quote, reopen). Nothing else is special
// inside single quotes in POSIX sh, so $(...), backticks, ;, newlines, globs all stay literal.
import { NixiError } from "../core/errors.js";

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word for a POSIX shell. */
export function shQuote(word: string): string {
  if (typeof word !== "string") throw new TypeError(`shQuote: expected a string, got ${typeof word}`);
  if (word.includes("\0")) {
    throw new NixiError("INVALID_ARGUMENT", "an argument contains a NUL byte, which no remote command can receive");
  }
  // "=" at the start of a word, or "~" anywhere, are special in some shells; SAFE excludes "~".
  if (word !== "" && SAFE.test(word) && !word.startsWith("=")) return word;
  return "'" + word.replace(/'/g, "'\\''") + "'";
}

// In command position a shell also treats reserved words and NAME=value specially.
const RESERVED = new Set(["!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while", "function", "select", "time", "coproc", "[[", "]]"]);

/** Quote a word that will stand in command position. */
export function shQuoteCommand(word: string): string {
  if (RESERVED.has(word) || word.includes("=")) return "'" + word.replace(/'/g, "'\\''") + "'";
  return shQuote(word);
}

/** Quote every word of argv and join them with spaces. */
export function shJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("shJoin: empty argv");
  return [shQuoteCommand(argv[0]), ...argv.slice(1).map(shQuote)].join(" ");
}

/** Environment assignments `K=V` for a command line prefix; keys must be plain names. */
export function shAssign(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw new NixiError("INVALID_ARGUMENT", `"${k}" is not a valid environment variable name`);
    }
    return `${k}=${shQuote(v)}`;
  });
}
