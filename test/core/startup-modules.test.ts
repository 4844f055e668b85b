// What the built CLI loads for a read and for a change: heavy modules stay off the paths that do
// not use them (issue 12's start-up targets, bench/startup.mjs). A preload script records Node's
// loaded built-ins and the dist/ files in require.cache at exit.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBin, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";

const scratch = mkdtempSync(join(tmpdir(), "nixi-startup-"));
afterAll(() => {
  cleanupRoots();
  rmSync(scratch, { recursive: true, force: true });
});

const RECORDER = join(scratch, "record.cjs");
writeFileSync(
  RECORDER,
  `process.on("exit", () => require("node:fs").writeFileSync(process.env.NIXI_TEST_RECORD, JSON.stringify({
  builtins: process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13)),
  files: Object.keys(require.cache),
})));\n`,
);

async function loaded(argv: string[], exitCode = 0): Promise<{ builtins: string[]; dist: Map<string, string> }> {
  const out = join(scratch, `record-${argv.join("-").replace(/[^a-z0-9-]/gi, "")}.json`);
  const r = await runBin(argv, { env: { NODE_OPTIONS: `--require ${RECORDER}`, NIXI_TEST_RECORD: out } });
  expect(r.exitCode, r.stderr).toBe(exitCode);
  const rec = JSON.parse(readFileSync(out, "utf8")) as { builtins: string[]; files: string[] };
  const dist = new Map(rec.files.filter((f) => f.startsWith(join(REPO, "dist/"))).map((f) => [f, readFileSync(f, "utf8")]));
  return { builtins: rec.builtins, dist };
}

describe("start-up: modules the built CLI loads", () => {
  const root = makeRoot();
  const cases = [
    ["a read", ["--root", root, "fw", "list", "--json"]],
    ["a change", ["--root", root, "fw", "open", "8080", "--yes", "--no-rebuild", "--json"]],
  ] as const;
  for (const [what, argv] of cases) {
    it(`${what} (${argv.slice(2).join(" ")}) loads neither node:crypto nor zod`, async () => {
      const { builtins, dist } = await loaded([...argv]);
      // the recorder saw the bundle: the check below is about real loads
      expect([...dist.keys()]).toContain(join(REPO, "dist/main.js"));
      expect(builtins).toContain("fs");
      expect(builtins.filter((m) => m === "crypto" || m.startsWith("internal/crypto/"))).toEqual([]);
      expect([...dist].filter(([, code]) => code.includes("ZodError")).map(([f]) => f)).toEqual([]);
    });
  }

  it("the zod check can fail: a command that validates with zod loads it", async () => {
    const { dist } = await loaded(["--root", root, "system", "gc", "--older-than", "soon", "--json"], 2);
    expect([...dist.values()].some((code) => code.includes("ZodError"))).toBe(true);
  });
});
