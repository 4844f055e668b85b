// Where something is in a TOML file, for "file:line: ..." messages about values smol-toml parsed
// without positions. A best effort on the raw text: null when it cannot be found.

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const keyRe = (key: string) => `(?:${esc(key)}|"${esc(key)}"|'${esc(key)}')`;

/** 1-based line of the header `[name]` or `[name.sub]` (the first one). */
export function tableLine(text: string, name: string): number | null {
  const re = new RegExp(`^\\s*\\[{1,2}\\s*${keyRe(name)}\\s*[\\].]`);
  const i = text.split("\n").findIndex((l) => re.test(l));
  return i < 0 ? null : i + 1;
}

/** Line of `key = ...` inside the index-th `[[array]]` block (or the block header when the key is absent). */
export function arrayTableKeyLine(text: string, array: string, index: number, key?: string): number | null {
  const lines = text.split("\n");
  const header = new RegExp(`^\\s*\\[\\[\\s*${keyRe(array)}\\s*\\]\\]`);
  const anyHeader = /^\s*\[/;
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!header.test(lines[i])) continue;
    if (++seen !== index) continue;
    if (key) {
      const k = new RegExp(`^\\s*${keyRe(key)}\\s*=`);
      for (let j = i + 1; j < lines.length && !anyHeader.test(lines[j]); j++) if (k.test(lines[j])) return j + 1;
    }
    return i + 1;
  }
  return null;
}

/** Line of the first occurrence of a bare or quoted key anywhere (header or assignment). */
export function keyLine(text: string, key: string): number | null {
  const re = new RegExp(`(^|[\\s.\\[{,])${keyRe(key)}\\s*[=.\\]]`);
  const i = text.split("\n").findIndex((l) => re.test(l));
  return i < 0 ? null : i + 1;
}

export const at = (path: string, line: number | null) => (line ? `${path}:${line}` : path);
