// The one list of secret-holding names shared by config set, container deploy and analyze.
import { expect, it } from "vitest";
import { isSecretName } from "../../src/core/secret-names.js";

it("recognises secret names and leaves references and look-alikes alone", () => {
  for (const n of ["DB_PASSWORD", "POSTGRES_PASSWORD", "API_TOKEN", "SECRET_KEY_BASE", "APP_KEY", "PASSWORD_SALT", "smtp_pw", "relayPass", "psk", "basicAuth", "jwt_key"]) expect(isSecretName(n), n).toBe(true);
  for (const n of ["POSTGRES_USER", "KEY_LENGTH", "DB_PASSWORD_FILE", "TZ", "passthru", "bypass", "PasswordAuthentication", "hashedPasswordFile", "passwordCommand"]) expect(isSecretName(n), n).toBe(false);
});

it("does not take upstream directives and words containing 'pass' for secrets (issue 9, 5b)", () => {
  for (const n of ["proxyPass", "proxy_pass", "uwsgiPass", "fastcgiPass", "grpcPass", "scgiPass", "memcachedPass", "proxyPassReverse", "passthru", "passAsFile", "bypass", "compass", "passive", "passenger", "multipass", "passEnv", "PROXY_PASS"]) {
    expect(isSecretName(n), n).toBe(false);
  }
  // ...while the short forms still count
  for (const n of ["pass", "PASS", "passwd", "passphrase", "SMTP_PASS", "db-pass", "adminPwd", "mqttPass", "keyPassphrase", "rootPasswd"]) expect(isSecretName(n), n).toBe(true);
});
