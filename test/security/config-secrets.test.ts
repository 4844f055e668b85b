// config set: short secret names (pass, pwd, pw, *_key of a signing/encryption key) are refused
// like password/token, with nothing written; look-alikes that are not secrets still work.
import { describe, expect, it } from "vitest";
import { writeFileSync, mkdirSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
const SECRET = "hunter2-xyz";

describe("config set refuses secrets behind short names", () => {
  it.each([
    ["services.foo.settings", `[{"db_pass":"${SECRET}"}]`],
    ["services.foo.settings", `{"auth":{"pass":"${SECRET}"}}`],
    ["services.foo.settings", `{"smtp_pw":"${SECRET}"}`],
    ["services.foo.environment.MYSQL_PASS", SECRET],
    ["services.foo.environment.DB_PWD", SECRET],
    ["services.postfix.relayPass", SECRET],
    ["services.foo.settings.jwt_key", SECRET],
    ["services.foo.settings.encryptionKey", SECRET],
  ])("%s %s: exit 4, value not repeated, nothing written", async (option, value) => {
    const root = initialisedRoot("nixi-sec-");
    const r = await run(["config", "set", option, value, "--yes", "--force", "--json", "--root", root].map((w) => (/\s|"/.test(w) ? `'${w}'` : w)).join(" "), { path: [FAKES] });
    expect(r.exitCode, r.stdout).toBe(4);
    expect(r.json.error.code).toBe("INSECURE");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(existsSync(join(root, "etc/nixos/nixi/state.toml"))).toBe(false);
  });

  it.each([
    ["services.foo.passthru", '{"a":"b"}'],
    ["services.foo.bypass", "x"],
    ["services.foo.passAsFile", '["x"]'],
    ["services.foo.pass_file", "/srv/.credentials/x"],
    ["services.openssh.settings.PasswordAuthentication", "false"],
    ["services.foo.publicKey", "ssh-ed25519-AAAA"],
  ])("%s %s is not a secret and is written", async (option, value) => {
    const root = initialisedRoot("nixi-sec-");
    const r = await run(["config", "set", option, value, "--yes", "--force", "--json", "--root", root].map((w) => (/\s|"/.test(w) ? `'${w}'` : w)).join(" "), { path: [FAKES], env: { NIXI_FAKE_LOG: join(root, "fake.log") } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  });
});
