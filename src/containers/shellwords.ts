// Split a command line into words the way a POSIX shell would for quoting only: '...' is literal,
// "..." allows \" \\ \$ \` escapes, a backslash outside quotes escapes the next character.
// Nothing is expanded: $VAR, globs, ;, | and ` stay literal characters inside words, and the
// result is passed as a list (oci-containers `cmd`), never to a shell.
import { NixiError } from "../core/errors.js";

export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  const fail = (what: string) => {
    throw new NixiError("INVALID_ARGUMENT", `--cmd: ${what} in ${JSON.stringify(line)}`, `quote words with '...' or "..."`);
  };
  if (line.includes("\0")) fail("NUL byte");
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) fail("unterminated single quote");
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= line.length) fail("unterminated double quote");
        const d = line[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
          cur += line[i + 1];
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
    } else if (c === "\\") {
      if (i + 1 >= line.length) fail("trailing backslash");
      cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
