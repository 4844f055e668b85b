// The built CLI (bin/nixi + dist/, what users run) loads every command from its manifest:
// each command's --help works and a --json run gives a valid envelope whose `ok` matches the exit
// code. test/setup/global.ts builds before the run.
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runBin, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { SOURCE_CATALOG } from "../../src/commands/registry.js";
import { MANIFEST_CATALOG } from "../../src/commands/manifest.gen.js";
import { readFileSync } from "node:fs";
import { ERROR_CODES, EXIT } from "../../src/core/errors.js";

afterAll(cleanupRoots);
const FAKES = join(REPO, "test/fakes");

describe("built CLI", () => {
  it("the manifest lists exactly the registry's commands", () => {
    expect(MANIFEST_CATALOG.metas).toEqual(SOURCE_CATALOG.metas);
  });

  it("--version prints package.json's version", async () => {
    const r = await runBin("--version");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);
  });

  it("--help and -h print the build's dist/help.txt: what commander prints for `nixi help`", async () => {
    const slow = await runBin("help");
    expect(slow.exitCode).toBe(0);
    for (const flag of ["--help", "-h"]) {
      const fast = await runBin(flag);
      expect([fast.exitCode, fast.stdout]).toEqual([0, slow.stdout]);
    }
    expect(readFileSync(join(REPO, "dist/help.txt"), "utf8")).toBe(slow.stdout);
    for (const g of Object.keys(MANIFEST_CATALOG.groups).filter((k) => !k.includes(" "))) expect(slow.stdout).toMatch(new RegExp(`^  ${g}\\b`, "m"));
  });

  for (const meta of SOURCE_CATALOG.metas) {
    const name = meta.path.join(" ");
    it(`nixi ${name}: --help and a --json dry run`, async () => {
      const help = await runBin([...meta.path, "--help"]);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain(`Usage: nixi ${name}`);
      expect(help.stdout.replace(/\s+/g, " ")).toContain(meta.summary.replace(/\s+/g, " "));
      if (meta.description) expect(help.stdout.replace(/\s+/g, " ")).toContain(meta.description.replace(/\s+/g, " ").slice(0, 60));
      const root = makeRoot();
      const r = await runBin([...meta.path, "--json", "--dry-run", "--no-input", "--root", root], { path: [FAKES] });
      expect(r.stderr).not.toMatch(/internal error|is not a function/);
      const env = expectEnvelope(r.json);
      expect(env.command).toBe(name);
      // The exit code agrees with the envelope: 0 for ok, the error code's exit otherwise
      // (system health and security audit: ok envelope, exit 8 when a (high) check fails).
      if (env.ok) expect(r.exitCode, r.stderr).toBe((name === "system health" && env.data?.ok === false) || (name === "security audit" && env.data?.failedHigh?.length) ? EXIT.HEALTH : 0);
      else expect(r.exitCode, r.stderr).toBe(ERROR_CODES[env.error.code as keyof typeof ERROR_CODES]);
    });
  }
});
