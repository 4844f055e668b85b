// One gate for tests that need a program (or a capability) of the machine. Off CI a missing one
// skips the tests with its name in the reason; under CI=1 (.ci/run sets it, and installs every
// program) it fails the file instead, so coverage cannot silently drop.
import { spawnSync } from "node:child_process";

const have = (prog: string) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", prog], { stdio: "ignore" }).status === 0;

/** True when the probe passes. Under CI a failing probe throws (the test file fails). */
export function needCapability(what: string, probe: () => boolean): boolean {
  let ok = false;
  try {
    ok = probe();
  } catch {
    ok = false;
  }
  if (!ok && process.env.CI) throw new Error(`CI: required ${what} is not available here (add its package to .ci/run's PKGS)`);
  return ok;
}

/** True when every program is on PATH; see needCapability. */
export function needProgram(...progs: string[]): boolean {
  const missing = progs.filter((p) => !have(p));
  return needCapability(`program(s) ${missing.join(", ")}`, () => missing.length === 0);
}
