import { describe, expect, it } from "vitest";
import { redact, redactValue, registerSecret } from "../../src/core/redact.js";

describe("redact", () => {
  const cases: Array<[string, string]> = [
    ["password=hunter22", "hunter22"],
    ["DB_PASSWORD: s3cr3t-value", "s3cr3t-value"],
    ['{"api_key": "abcd1234efgh"}', "abcd1234efgh"],
    ["export GITHUB_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ghp_aaaa"],
    ["Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi"],
    ["curl -H 'authorization: token 0123456789abcdef'", "0123456789abcdef"],
    ["postgres://app:pa55word@db:5432/app", "pa55word"],
    ["client_secret = 'xyz-987-abc'", "xyz-987-abc"],
    ["key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA"],
    ["secret: topsecretvalue", "topsecretvalue"],
  ];
  for (const [text, leak] of cases) {
    it(`hides ${JSON.stringify(leak)}`, () => {
      const out = redact(text);
      expect(out).not.toContain(leak);
      expect(out).toContain("***");
    });
  }
  it("keeps references to secret files and ordinary text", () => {
    expect(redact("passwordFile = /srv/.credentials/db.env")).toBe("passwordFile = /srv/.credentials/db.env");
    expect(redact("open 8080/tcp on eth0")).toBe("open 8080/tcp on eth0");
  });
  it("hides values registered at run time (prompted secrets) anywhere", () => {
    registerSecret("correct horse battery");
    expect(redact("echo correct horse battery | x")).toBe("echo *** | x");
  });
  it("redacts JSON values by key", () => {
    expect(redactValue({ env: { DB_PASSWORD: "x1", USER: "app" }, n: 1 })).toEqual({ env: { DB_PASSWORD: "***", USER: "app" }, n: 1 });
  });
});
