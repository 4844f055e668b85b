// container logs: the container's own secret values (from its credentials file) are masked even
// when a log line has no key=value shape the generic patterns would catch.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { tempDir } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));

describe("container logs redaction", () => {
  it("masks the values of the container's --env-secret variables in its log lines", async () => {
    const root = tempDir("nixi-sec-");
    const shims = tempDir("nixi-sec-shims-");
    const secret = "Tr0ub4dor-and-3";
    // podman: `logs --timestamps ... -- db` prints lines that contain the secret; everything else succeeds quietly
    writeFileSync(
      join(shims, "podman"),
      `#!/bin/sh\nif [ "$1" = logs ]; then\n  echo "2026-11-21T10:00:00.000000000Z connecting to db as app with ${secret}"\n  echo "2026-11-21T10:00:01.000000000Z ready" >&2\n  exit 0\nfi\nexit 0\n`,
    );
    chmodSync(join(shims, "podman"), 0o755);
    const opts = { path: [shims, FAKES], env: { NIXI_FAKE_LOG: join(shims, "log") } };
    // declared by hand (not deployed in this process: the redactor would already know the value)
    mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/nixi/state.toml"), `[containers]\nbackend = "podman"\n\n[containers.containers.db]\nimage = "postgres:16"\nsecret_env = ["DB_PASSWORD"]\n`);
    mkdirSync(join(root, "srv/.credentials"), { recursive: true, mode: 0o700 });
    writeFileSync(join(root, "srv/.credentials/db.env"), `# nixi\nDB_PASSWORD=${secret}\n`, { mode: 0o600 });
    let r;
    for (const json of ["", " --json"]) {
      r = await run(`container logs db --root ${root}${json}`, opts);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.stdout).toMatch(/connecting to db as app with \*\*\*/);
      expect(r.stdout).toMatch(/ready/);
    }
  });
});
