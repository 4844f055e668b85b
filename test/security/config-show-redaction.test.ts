// config show prints configuration.nix: the secrets people actually write there must be masked —
// a Wi-Fi psk/pskRaw, a password in a Nix ''indented string'' (also over several lines),
// short names like smtp_pw, jwt_key, encryptionKey.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { tempDir } from "../helpers/tree.js";

const SECRETS = ["wifi-Pa55phrase", "0123456789abcdef0123", "indented-S3cret", "line-two-S3cret", "smtp-S3cret-9", "jwt-S3cret-77", "enc-S3cret-55"];

const CONFIG = `{ config, pkgs, ... }:
{
  networking.wireless.networks."home".psk = "${SECRETS[0]}";
  networking.wireless.networks."work".pskRaw = "${SECRETS[1]}";
  services.foo.password = ''${SECRETS[2]}'';
  services.bar.settings.password = ''
    ${SECRETS[3]}
  '';
  services.baz.settings = { smtp_pw = "${SECRETS[4]}"; jwt_key = "${SECRETS[5]}"; encryptionKey = "${SECRETS[6]}"; };
  services.openssh.enable = true;
}
`;

describe("config show redaction", () => {
  it("masks psk, indented-string passwords and short secret names (human and --json)", async () => {
    const root = tempDir("nixi-sec-");
    mkdirSync(join(root, "etc/nixos"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/configuration.nix"), CONFIG);
    for (const json of ["", " --json"]) {
      const r = await run(`config show --root ${root}${json}`);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const s of SECRETS) expect(r.stdout + r.stderr, s).not.toContain(s);
      expect(r.stdout).toContain("services.openssh.enable = true;");
      expect(r.stdout).toMatch(/psk = \\?"\*\*\*\\?";/);
    }
  });
});
