// Shared by the safe-apply tests: their config.toml (one managed node "n" as root in a namespace,
// nixi's folder and the generation links in the test's own tree, a short confirm_timeout), the
// node's canary files, and what a reverted change must show.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";
import { join } from "node:path";

export function writeSafeApplyConfig(file: string, o: { work: string; tree: string; nixiDir: string; host: string; timeout: number; profile: string }): void {
  writeFileSync(
    file,
    `[ssh]\nconnect_timeout = 1\nknown_hosts = "${join(o.work, "known_hosts")}"\n[nixos]\ndir = "${o.nixiDir}"\nconfiguration = "${o.tree}/etc/nixos/configuration.nix"\n` +
      `[rebuild]\nconfirm_timeout = ${o.timeout}\ncurrent_system = "${o.tree}/run/current-system"\nsystem_profile = "${o.profile}"\n` +
      `\n[[nodes]]\nname = "n"\nhost = "${o.host}"\nport = 22\nuser = "root"\n`,
  );
}

/** A file of the node's canary folder (<nixi dir>/.safe-apply/), trimmed; null when absent. */
export const readCanary = (nixiDir: string, f: string): string | null => {
  const p = join(nixiDir, ".safe-apply", f);
  return existsSync(p) ? readFileSync(p, "utf8").trim() : null;
};

/** Polls `what` every 100 ms for at most `ms`. */
export async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return what();
}

/** A change that cut SSH off: exit 6 REVERTED within the arm call's 8 s + the confirm window +
 *  margin, and the node's watchdog finished the revert (decision and revert-status). */
export async function expectReverted(r: { exitCode: number; stdout: string; stderr: string; json: any }, tookSeconds: number, timeout: number, nixiDir: string): Promise<void> {
  expect(r.exitCode, r.stdout + r.stderr).toBe(6);
  const err = r.json.error ?? r.json.results?.[0]?.error;
  expect(err.code).toBe("REVERTED");
  expect(err.message).toMatch(/^reverted: the node was unreachable after the switch/);
  expect(tookSeconds).toBeLessThan(timeout + 8 + 6);
  expect(await until(() => readCanary(nixiDir, "revert-status") !== null, 15_000)).toBe(true);
  expect(readCanary(nixiDir, "decision")).toBe("reverted");
  expect(readCanary(nixiDir, "revert-status")).toBe("0");
}
