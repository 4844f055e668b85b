// Every command's --json output is one envelope that validates against schema/envelope.schema.json,
// whatever happens: success, plan, usage error. Run with fakes first on PATH so nothing real changes.
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { run, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { SOURCE_CATALOG } from "../../src/commands/registry.js";

afterAll(cleanupRoots);
const FAKES = join(REPO, "test/fakes");

describe("--json envelope for every command", () => {
  for (const meta of SOURCE_CATALOG.metas) {
    const name = meta.path.join(" ");
    it(`nixi ${name} --json`, async () => {
      const root = makeRoot();
      // without arguments: either a usage error (exit 2) or a dry run / read
      const r = await run([...meta.path, "--json", "--dry-run", "--no-input", "--root", root], { path: [FAKES] });
      expect([0, 1, 2, 3, 4, 5, 8]).toContain(r.exitCode);
      const env = expectEnvelope(r.json);
      expect(env.command).toBe(name);
      expect(env.ok).toBe(r.exitCode === 0 || (r.exitCode === 8 && env.ok));
      if (!env.ok) expect(env.error.message.length).toBeGreaterThan(0);
      // an unknown flag is always a usage error in the envelope
      const bad = await run([...meta.path, "--no-such-flag", "--json", "--root", root], { path: [FAKES] });
      expect(bad.exitCode).toBe(2);
      expect(expectEnvelope(bad.json).error.code).toBe("UNKNOWN_FLAG");
    });
  }

  it("help and exit codes", async () => {
    const r = await run("help exit-codes");
    expect(r.exitCode).toBe(0);
    for (let c = 0; c <= 8; c++) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\s+\\S`, "m"));
    const h = await run("--help");
    expect(h.exitCode).toBe(0);
    for (const g of new Set(SOURCE_CATALOG.metas.map((m) => m.path[0]))) expect(h.stdout).toContain(g);
    const u = await run("help nosuchcommand --json");
    expect(u.exitCode).toBe(2);
    expect(expectEnvelope(u.json).ok).toBe(false);
  });

  it("--node names an unknown node: exit 2", async () => {
    const r = await run("fw list --node nosuch --json");
    expect(r.exitCode).toBe(2);
    expect(expectEnvelope(r.json).error.message).toContain('"nosuch"');
  });
});
