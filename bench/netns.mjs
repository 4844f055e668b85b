// Network namespaces of the benches (bench/fanout.mjs, bench/startup.mjs): named PREFIX<pid>, so a
// namespace left by a run that was killed (its PID is gone) can be told apart and removed.
import { spawnSync } from "node:child_process";

export function removeStaleNamespaces(prefix) {
  for (const line of spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.split("\n")) {
    const m = new RegExp(`^${prefix}(\\d+)\\b`).exec(line);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) spawnSync("ip", ["netns", "del", `${prefix}${m[1]}`], { stdio: "ignore" });
  }
}
