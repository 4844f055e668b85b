// Issue 9, High 2: every secret nixi reads back (a container's credentials file, an SMB credentials
// file) is masked whatever its key name and however short, when a failing rebuild prints it:
// stderr, --json (message, logTail) and .rebuild.log. Through the built CLI (npm run build first).
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { INITIALISED_CONFIGURATION } from "../helpers/tree.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBin } from "../helpers/run.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const root = mkdtempSync(join(tmpdir(), "nixi-rb-"));
  const shims = mkdtempSync(join(tmpdir(), "nixi-rb-shims-"));
  made.push(root, shims);
  mkdirSync(join(root, "etc/nixos"), { recursive: true });
  writeFileSync(join(root, "etc/nixos/configuration.nix"), INITIALISED_CONFIGURATION);
  for (const prog of ["podman", "git"]) {
    writeFileSync(join(shims, prog), "#!/bin/sh\nexit 0\n");
    chmodSync(join(shims, prog), 0o755);
  }
  // a leaky build: prints every credentials file, fails once ./fail exists
  writeFileSync(
    join(shims, "nixos-rebuild"),
    `#!/bin/sh\nfor f in "${root}"/srv/.credentials/*; do [ -f "$f" ] && cat "$f" && cat "$f" >&2; done\n[ -e "${shims}/fail" ] && { echo "error: activation failed" >&2; exit 1; }\nexit 0\n`,
  );
  chmodSync(join(shims, "nixos-rebuild"), 0o755);
  const opts = (stdin = "") => ({ stdin, path: [shims, FAKES], env: { NIXI_ROOT_EXEC: "1" } });
  return { root, shims, opts };
}

describe("secrets read back are masked in a failed rebuild's output", () => {
  it("a short value under a neutral key name in the container's credentials file", async () => {
    const { root, shims, opts } = setup();
    let r = await runBin(`container deploy db --image postgres:16 --env-secret MYVAR --backend podman --yes --root ${root}`, opts("old"));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(root, "srv/.credentials/db.env"), "utf8")).toContain("MYVAR=old");
    writeFileSync(join(shims, "fail"), "");
    for (const json of ["", " --json"]) {
      r = await runBin(`container update db --env-secret OTHER --yes --root ${root}${json}`, opts("new"));
      expect(r.exitCode, r.stdout + r.stderr).toBe(6);
      const all = r.stdout + r.stderr;
      expect(all).toContain("MYVAR=***");
      for (const leak of ["MYVAR=old", "OTHER=new"]) expect(all).not.toContain(leak);
      if (json) {
        expect(r.json.error.message).not.toMatch(/=old|=new/);
        expect(JSON.stringify(r.json.error.details ?? {})).not.toMatch(/=old|=new/);
      }
    }
    const log = readFileSync(join(root, "etc/nixos/nixi/.rebuild.log"), "utf8");
    expect(log).toContain("MYVAR=***");
    expect(log).not.toMatch(/=old|=new/);
  });

  it("an SMB credentials file nixi did not write in this run", async () => {
    const { root, shims, opts } = setup();
    mkdirSync(join(root, "srv/.credentials"), { recursive: true, mode: 0o700 });
    writeFileSync(join(root, "srv/.credentials/mount-mnt-nas.cred"), "username=alice\npassword=p4w\n", { mode: 0o600 });
    writeFileSync(join(root, "srv/.credentials/app.env"), "LICENSE=ab\n", { mode: 0o600 });
    writeFileSync(join(shims, "fail"), "");
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, opts());
    expect(r.exitCode, r.stdout + r.stderr).toBe(6);
    const all = r.stdout + r.stderr + readFileSync(join(root, "etc/nixos/nixi/.rebuild.log"), "utf8");
    expect(all).toContain("password=***");
    expect(all).toContain("LICENSE=***");
    expect(all).not.toContain("p4w");
    expect(all).not.toContain("LICENSE=ab");
    expect(all).toContain("username=alice");
    // a rebuild that succeeds keeps its log masked the same way
    rmSync(join(shims, "fail"));
    const ok = await runBin(`fw open 8081 --yes --json --root ${root}`, opts());
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    const log = readFileSync(join(root, "etc/nixos/nixi/.rebuild.log"), "utf8");
    expect(log).toContain("password=***");
    expect(log).not.toContain("p4w");
    expect(ok.stdout + ok.stderr).not.toContain("p4w");
  });
});
