// Runs once per `vitest run`, in the main process, before any test file:
// 1. builds bin/nixi's bundle, so the end-to-end tests can never run against a stale dist/;
// 2. gives the run its own temporary folder (TMPDIR, inherited by every worker and every program
//    the tests start) and, at the end, lists what the tests left in it: under CI=1 a leftover
//    fails the run, elsewhere it is reported. The folder itself is removed either way.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

export default function setup(): () => void {
  if (process.env.NIXI_TEST_SKIP_BUILD !== "1") {
    execFileSync(process.execPath, [join(REPO, "scripts/build.mjs")], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  }
  const parent = process.env.TMPDIR || "/tmp";
  const dir = mkdtempSync(join(parent, "nixi-testrun-"));
  // Like /tmp: other users (the SSH tests' unprivileged login users) must reach their own folders in it.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    process.env.TMPDIR = parent;
    let left: string[] = [];
    try {
      left = readdirSync(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (left.length === 0) return;
    const msg = `tests left ${left.length} entries in the temporary folder: ${left.slice(0, 20).join(", ")}${left.length > 20 ? ", ..." : ""}`;
    if (process.env.CI) {
      // A throw here is only printed by vitest: set the exit code too.
      console.error(`CI: ${msg}`);
      process.exitCode = 1;
      return;
    }
    console.warn(`warning: ${msg}`);
  };
}
