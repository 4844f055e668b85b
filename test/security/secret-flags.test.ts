// Secrets given where a command does not want them must not come back in error messages:
// a declared secret flag (system health --webhook) and the value half of a KEY=VALUE put where a
// key belongs (--env-secret DB=hunter2). Checked on stdout, stderr and the --json envelope.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { tempDir } from "../helpers/tree.js";

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe("secret values are not echoed by usage errors", () => {
  it("a malformed --webhook URL (a secret flag) is refused without repeating it", async () => {
    const root = tempDir("nixi-sec-");
    const token = "T0K3N-abcdef-123456";
    for (const json of ["", " --json"]) {
      const r = await run(`system health --webhook ftp://hooks.example.org/${token} --root ${root}${json}`);
      expect(r.exitCode).toBe(2);
      expect(r.stdout + r.stderr).not.toContain(token);
      expect(r.stdout + r.stderr).toMatch(/--webhook/);
    }
  });

  it("--env-secret KEY=VALUE (value where the key goes) is exit 2 naming the key, not the value; nothing written", async () => {
    const root = tempDir("nixi-sec-");
    const secret = "hunter2-very-secret";
    for (const cmd of [
      `container deploy db --image postgres:16 --env-secret DB=${secret} --yes --root ${root}`,
      `container deploy db --image postgres:16 --env-secret DB=${secret} --yes --json --root ${root}`,
    ]) {
      const r = await run(cmd, { stdin: "" });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stdout + r.stderr, cmd).not.toContain(secret);
      expect(r.stdout + r.stderr, cmd).toMatch(/DB=\.\.\./);
    }
    expect(filesUnder(root)).toEqual([]);
  });

  it("a bad non-secret value is still named in full", async () => {
    const root = tempDir("nixi-sec-");
    const r = await run(`fw open 80 --interface bad/if --root ${root} --yes`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('"bad/if"');
  });
});
