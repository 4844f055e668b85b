// Issue 9 (items 5, 6, 7): every token shape in neutral text (no KEY= in front that another rule
// would mask), whole Nix value expressions after a secret-named key, credential parts of URLs,
// SQL/netrc/argv forms, and values registered at run time whatever their length.
import { describe, expect, it } from "vitest";
import { applyShapeRules, isSecretKeyNameRaw, mayHaveShape, redact, redactShapes, redactValue, registerSecret, SECRET_KEY_HINTS } from "../../src/core/redact.js";

const X = "Zq8vW3xY7pL2"; // the secret part in the Nix/URL cases

describe("token shapes in neutral text", () => {
  const tokens: Record<string, string> = {
    "GitHub classic": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "GitHub OAuth": "gho_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "GitHub fine-grained": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "Slack bot": "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "Slack user": "xoxp-" + "123456789012-1234567890123-AbCdEfGhIjKl",
    "Slack app": "xapp-" + "1-A0123456789-1234567890123-abcdef0123456789",
    "AWS key id": "AKIA" + "IOSFODNN7EXAMPLE",
    "OpenAI-style": "sk-" + "proj-abcdefghijklmnopqrstuvwxyz012345",
    "Stripe live": "sk_live_" + "51HabcdefGHIJKLmnopQRSTuv",
    "Stripe restricted": "rk_test_" + "51HabcdefGHIJKLmnopQRSTuv",
    "bare JWT": "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "GitLab": "glpat-" + "xxxxxxxxxxxxxxxxxxxx1234",
    "npm": "npm_" + "abcdefghijklmnopqrstuvwxyz0123456789",
    "Hugging Face": "hf_" + "abcdefghijklmnopqrstuvwxyzABCDEFGH",
    "Google API": "AIza" + "SyA-1234567890abcdefghijklmnopqrstu",
    "SendGrid": "SG." + "abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
    "age identity": "AGE-SECRET-KEY-1" + "QYZ8JLNXZ3N4Q5R6S7T8U9V0W1X2Y3Z4A5B6C7D8E9F0G1H2J3K4L5M6N",
    "Tailscale": "tskey-" + "auth-kABCDEF1CNTRL-abcdefghijkl",
    "webhook signing": "whsec_" + "abcdefghijklmnop1234",
  };
  for (const [what, token] of Object.entries(tokens)) {
    it(what, () => {
      const out = redact(`the build printed ${token} while starting`);
      expect(out).not.toContain(token);
      expect(out).toBe("the build printed *** while starting");
    });
  }
  it("PEM keys of any kind, and PGP private key blocks", () => {
    for (const kind of ["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "]) {
      const out = redact(`x\n-----BEGIN ${kind}PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0\n-----END ${kind}PRIVATE KEY-----\ny`);
      expect(out).not.toContain("MIIBVQIBADANBgkqhkiG9w0");
    }
    expect(redact("-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF0000\n-----END PGP PRIVATE KEY BLOCK-----")).not.toContain("lQOYBF0000");
  });
  it("PuTTY keys like PEM", () => {
    const ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5\nPrivate-Lines: 1\nAAAAIFCgNxEI8yq7\nPrivate-MAC: 5b1e0d4c9a\n";
    const out = redact(ppk);
    for (const leak of ["AAAAIFCgNxEI8yq7", "5b1e0d4c9a"]) expect(out).not.toContain(leak);
    expect(out).toContain("PuTTY-User-Key-File-3:");
  });
});

describe("whole value expressions after a secret-named key (Nix)", () => {
  const cases: string[] = [
    `password = [ "${X}" "b" ];`,
    `password = "\${"${X}"}";`,
    `password = /* old */ "${X}";`,
    `password = # set by hand\n    "${X}";`,
    `password = builtins.toString "${X}";`,
    `password = let p = "${X}"; in p;`,
    `"pass word" = "${X}";`,
    `services.foo.settings."api key" = "${X}";`,
    `authorization = "Basic ${X}";`,
    `password = lib.mkForce ("${X}");`,
    `password = ''\n      ${X}\n    '';`,
    `secret = { value = "${X}"; };`,
    `token = "a" + "${X}";`,
  ];
  for (const c of cases) {
    it(JSON.stringify(c), () => {
      const out = redact(`{\n  ${c}\n  other = 1;\n}`);
      expect(out).not.toContain(X);
      expect(out).toContain("other = 1;");
    });
  }
  it("in a diff, the +/- column survives a multi-line value", () => {
    const out = redact(`@@ -1 +1,4 @@\n+  password = [\n+    "${X}"\n+  ];\n+  enable = true;`);
    expect(out).not.toContain(X);
    expect(out.split("\n").filter((l) => l.startsWith("+")).length).toBe(4);
    expect(out).toContain("+  enable = true;");
  });
  it("leaves non-secret names and references alone", () => {
    for (const t of [
      `proxyPass = "http://127.0.0.1:3000";`,
      `passwordFile = "/srv/.credentials/db";`,
      `passthru = { a = 1; };`,
      `services.openssh.settings.PasswordAuthentication = false;`,
    ]) expect(redact(t)).toBe(t);
  });
});

describe("URLs, SQL, netrc and command lines", () => {
  it.each([
    [`postgres://:${X}@db/app`],
    [`https://${X}@api.example.org/v1`],
    [`git+https://${X}@example.org/repo`],
    [`mysql://app:${X}@db:3306/x`],
    [`redis://${"a".repeat(4)}${X}1234567890@cache:6379`],
    [`CREATE USER app WITH PASSWORD '${X}';`],
    [`ALTER ROLE app IDENTIFIED BY "${X}"`],
    [`machine example.org login app password ${X}`],
    [`/usr/bin/app --password ${X} --port 80`],
    [`/usr/bin/app --db-password=${X}`],
    [`app --api-key "${X}"`],
    [`{"pass word": "${X}"}`],
    [`api_key: [${X}, other]`],
    [`password: |\n  ${X}\n  more-${X}\nnext: 1`],
    [`{"password": {"value": "${X}"}, "user": "app"}`],
  ])("%s", (t) => {
    const out = redact(t);
    expect(out).not.toContain(X);
    expect(out).toContain("***");
  });
  it("keeps user-only SSH/git URLs and nixi's own name flags", () => {
    for (const t of ["ssh://root@10.0.0.2:22", "git@github.com:owner/repo.git", "give it again with --env-secret DB_PASSWORD", "--password-file /srv/.credentials/x"]) expect(redact(t)).toBe(t);
  });
  it("an argv array in --json: the word after --password", () => {
    expect(redactValue({ cmd: ["app", "--password", X, "--port", "80"] })).toEqual({ cmd: ["app", "--password", "***", "--port", "80"] });
    expect(redactValue({ cmd: ["app", "--env-secret", "DB_PASSWORD"] })).toEqual({ cmd: ["app", "--env-secret", "DB_PASSWORD"] });
  });
});

describe("registered values, whatever their length", () => {
  it("a 3-character secret is masked where it stands alone", () => {
    registerSecret("q7z");
    expect(redact("MYVAR=q7z")).toBe("MYVAR=***");
    expect(redact("value q7z, end")).toBe("value ***, end");
  });
  it("a 1- or 2-character secret is masked as the value of KEY=V, not in ordinary text", () => {
    registerSecret("7");
    registerSecret("on");
    expect(redact("OTHER=7\nFLAG=on\nX: 7")).toBe("OTHER=***\nFLAG=***\nX: ***");
    expect(redact("failed (exit 7); turned on")).toBe("failed (exit 7); turned on");
  });
});

describe("the shortcut for text no shape rule can match (mayHaveShape)", () => {
  it("every text it skips is one the full rule set leaves alone", () => {
    // short texts from every character the shortcut lets through, with the rules' key words in them
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n,;!?()[]{}|<>+*&%$#~^`";
    const words = ["password", "pass", "token", "secret", "AKIA", "ghp", "sk", "eyJ", "BEGIN", "PRIVATE KEY", "Authorization", "bearer", "identified by", "passwd"];
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n);
    let skipped = 0;
    for (let i = 0; i < 20000; i++) {
      let t = "";
      const len = rnd(20);
      while (t.length < len) t += rnd(4) === 0 ? words[rnd(words.length)] + " " : alphabet[rnd(alphabet.length)];
      t = t.slice(0, 19);
      if (mayHaveShape(t)) continue;
      skipped++;
      expect(applyShapeRules(t), JSON.stringify(t)).toBe(t);
    }
    expect(skipped).toBeGreaterThan(5000);
  });
  it("texts with a shape go through the rules", () => {
    for (const t of ["login a password b", "password=hunter2", "--token x", "AKIAABCDEFGHIJKLMNOP", "x://u:p@h"]) {
      expect(mayHaveShape(t)).toBe(true);
      expect(redactShapes(t)).toBe(applyShapeRules(t));
      expect(redactShapes(t)).toContain("***");
    }
  });
});

describe("each rule runs only when the text has the literal it needs (gated)", () => {
  it("gated and ungated rules agree on texts built from the rules' own pieces", () => {
    const pieces = [
      "password", "Password=", "pass", "secret", "token", "api_key", "auth", "credential", "login bob ", "identified by ", "'x'", '"y"',
      "=", ": ", "://", "https://", "user:pw@", "@host", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "PuTTY-User-Key-File-2: ",
      "Private-MAC: ab", "Authorization: Bearer ", "--password ", "--db-token=", "ghp_", "github_pat_", "xoxb-", "xapp-", "AKIA", "ASIA", "sk-",
      "sk_live_", "rk_test_", "whsec_", "eyJ", ".", "glpat-", "npm_", "hf_", "AIza", "SG.", "AGE-SECRET-KEY-1", "tskey-", "ABCDEFGHIJKLMNOP",
      "0123456789abcdefghij", "klmnopqrstuvwxyzABCD", " ", "\n", ";", "[a, b]", "{ x }", "''nix''", "|\n  block\n", "db.password = ", "_pw=",
    ];
    let seed = 11;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n);
    let masked = 0;
    for (let i = 0; i < 20000; i++) {
      let t = "";
      const n = 1 + rnd(8);
      for (let k = 0; k < n; k++) t += pieces[rnd(pieces.length)];
      const full = applyShapeRules(t, false);
      expect(applyShapeRules(t, true), JSON.stringify(t)).toBe(full);
      if (full !== t) masked++;
    }
    expect(masked).toBeGreaterThan(5000);
  });
});

describe("the hints in front of the secret-key-name regex (isRedactedKey)", () => {
  it("a name with none of the hints never matches the regex alone", () => {
    const pieces = ["pass", "PASS", "Pass", "word", "wd", "phrase", "secret", "Token", "api", "key", "KEY", "access", "private", "credential", "s", "auth", "client", "session", "pwd", "psk", "_pw", "-pw", "PW", "encryption", "signing", "jwt", "hmac", "master", "authorization", "_", "-", ".", "x", "db", "1", "proxy", "id", "file", "p", "w", "k", "e", "y"];
    let seed = 5;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n);
    let matched = 0;
    for (let i = 0; i < 20000; i++) {
      let name = "";
      for (let n = 1 + rnd(4); n > 0; n--) name += pieces[rnd(pieces.length)];
      const hinted = SECRET_KEY_HINTS.some((h) => name.toLowerCase().includes(h));
      if (isSecretKeyNameRaw(name)) {
        matched++;
        expect(hinted, name).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(2000);
  });
});
