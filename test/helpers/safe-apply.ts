// config.toml of the safe-apply tests: one managed node "n" (root) in a namespace, nixi's folder
// and the generation links inside the test's own tree, and a short confirm_timeout.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeSafeApplyConfig(file: string, o: { work: string; tree: string; nixiDir: string; host: string; timeout: number; profile: string }): void {
  writeFileSync(
    file,
    `[ssh]\nconnect_timeout = 1\nknown_hosts = "${join(o.work, "known_hosts")}"\n[nixos]\ndir = "${o.nixiDir}"\nconfiguration = "${o.tree}/etc/nixos/configuration.nix"\n` +
      `[rebuild]\nconfirm_timeout = ${o.timeout}\ncurrent_system = "${o.tree}/run/current-system"\nsystem_profile = "${o.profile}"\n` +
      `\n[[nodes]]\nname = "n"\nhost = "${o.host}"\nport = 22\nuser = "root"\n`,
  );
}
