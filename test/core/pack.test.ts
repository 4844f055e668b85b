// What `npm pack` publishes: the built CLI and what a user needs next to it, nothing of the
// sources or tests, no source maps, a LICENSE, every man page listed in package.json's `man`,
// and as dependencies only what the bundle leaves outside (ssh2 loads native bindings).
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../helpers/run.js";

const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const packed = (): string[] => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return JSON.parse(out)[0].files.map((f: { path: string }) => f.path).sort();
};

describe("npm pack", () => {
  const files = packed();
  const manPages = readdirSync(join(REPO, "man")).filter((f) => /\.\d$/.test(f)).sort();

  it("holds the CLI, its bundle, completions, man pages, schema, README, LICENSE and package.json", () => {
    for (const f of ["LICENSE", "README.md", "package.json", "bin/nixi", "dist/main.js", "completions/nixi.bash", "completions/_nixi", "completions/nixi.fish", "schema/envelope.schema.json"]) {
      expect(files, f).toContain(f);
    }
    for (const m of manPages) expect(files).toContain(`man/${m}`);
    const top = [...new Set(files.map((f) => (f.includes("/") ? f.split("/")[0] + "/" : f)))].sort();
    expect(top).toEqual(["LICENSE", "README.md", "bin/", "catalog/", "completions/", "dist/", "man/", "package.json", "schema/"]);
  });

  it("has no source maps, sources or tests", () => {
    expect(files.filter((f) => f.endsWith(".map") || f.endsWith(".ts") || f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);
  });

  it("lists every man page in package.json's man field", () => {
    expect([pkg.man].flat().map((m: string) => m.replace(/^\.\//, "")).sort()).toEqual(manPages.map((m) => `man/${m}`));
  });

  it("depends only on what the bundle does not contain; the bundled ones are devDependencies", () => {
    const build = readFileSync(join(REPO, "scripts/build.mjs"), "utf8");
    const external = JSON.parse(/external: (\[[^\]]*\])/.exec(build)![1]) as string[];
    expect(Object.keys(pkg.dependencies ?? {}).every((d) => external.includes(d))).toBe(true);
    expect(Object.keys(pkg.dependencies)).toContain("ssh2");
    for (const d of ["zod", "yaml", "commander", "chalk", "diff", "smol-toml"]) expect(pkg.devDependencies).toHaveProperty(d);
  });
});
