// A dependency imported lazily must go through namedExports(): in the split bundle a CommonJS
// package's chunk exports only `default` (the bug behind "parse is not a function").
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../helpers/run.js";
import { namedExports } from "../../src/core/lazy-import.js";

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));

describe("lazy imports of dependencies", () => {
  it("every import(\"<package>\") in src/ is wrapped in namedExports()", () => {
    const bad: string[] = [];
    for (const f of files(join(REPO, "src")).filter((f) => !f.endsWith("lazy-import.ts"))) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/(namedExports\(|typeof )?import\("([^".][^"]*)"\)/g)) {
        if (m[2].startsWith("node:") || m[1]) continue;
        bad.push(`${f.slice(REPO.length)}: import("${m[2]}")`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("merges a CommonJS default object's exports; leaves an ES namespace's own", async () => {
    const cjs = await namedExports<any>(Promise.resolve({ default: { parse: () => 1, x: 2 } }) as any);
    expect(typeof cjs.parse).toBe("function");
    expect(cjs.x).toBe(2);
    const esm = await namedExports<any>(Promise.resolve({ Chalk: 1, default: { Chalk: 0 } }) as any);
    expect(esm.Chalk).toBe(1);
    const fn = () => 3;
    expect((await namedExports<any>(Promise.resolve({ default: fn }) as any)).default).toBe(fn);
  });
});
