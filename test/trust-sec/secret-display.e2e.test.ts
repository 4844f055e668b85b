// Issue 9, items 5b, 6 and 7 through the built CLI: config set's secret-name list has no false
// positives on proxyPass & co; config show, init --dry-run diffs and container inspect mask whole
// value expressions, URL credentials and --password words; a hand-edited state.toml holding a
// secret is refused when rendered, and no refusal repeats the secret.
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { initialisedRoot } from "../helpers/tree.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBin } from "../helpers/run.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
// a machine root where nixi init has run, removed when the file ends (test/helpers/tree.ts)
const tmp = (p = "nixi-disp-") => initialisedRoot(p);
const opts = { path: [FAKES], env: { NIXI_ROOT_EXEC: "1" } };
const S = "Zq8vW3xY7pL2"; // a secret that no shape rule knows: only the key or the syntax gives it away

describe("5b: names that contain 'pass' but hold no secret", () => {
  it("config set proxyPass is written; config set ...pass is still refused", async () => {
    const root = tmp();
    let r = await runBin(["config", "set", 'services.nginx.virtualHosts.x.locations."/".proxyPass', "http://127.0.0.1:3000", "--yes", "--json", "--root", root], opts);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(root, "etc/nixos/nixi/options.nix"), "utf8")).toContain('proxyPass = "http://127.0.0.1:3000";');
    for (const opt of ["services.foo.settings.pass", "services.foo.passwd", "services.foo.settings.passphrase"]) {
      r = await runBin(["config", "set", opt, S, "--yes", "--json", "--root", root], opts);
      expect(r.exitCode, opt).toBe(4);
      expect(r.stdout + r.stderr).not.toContain(S);
    }
  });
});

describe("6: masking whole values in config show and init --dry-run", () => {
  const CONFIG = `{ config, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  services.a.password = [ "${S}1" "${S}2" ];
  services.b.password = "\${"${S}3"}";
  services.c.password = /* hand-set */ "${S}4";
  services.d.password = # the old one
    "${S}5";
  services.e.password = builtins.toString "${S}6";
  services.f.password = let p = "${S}7"; in p;
  services.g.settings."pass word" = "${S}8";
  services.h.settings.authorization = "Basic ${S}9";
  services.i.url = "postgres://:${S}10@db/app";
  services.j.url = "https://${S}11@api.example.org/";
  services.k.initialScript = "CREATE ROLE app WITH PASSWORD '${S}12';";
  services.l.netrc = "machine example.org login app password ${S}13";
  services.openssh.enable = true;
}
`;
  it("config show (human and --json)", async () => {
    const root = tmp();
    mkdirSync(join(root, "etc/nixos"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/configuration.nix"), CONFIG);
    for (const json of ["", "--json"]) {
      const r = await runBin(`config show --root ${root} ${json}`, opts);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(S);
      expect(r.stdout).toContain("services.openssh.enable = true;");
    }
  });
  it("init --dry-run: the diff's context lines are masked too", async () => {
    const root = tmp();
    mkdirSync(join(root, "etc/nixos"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/configuration.nix"), CONFIG);
    for (const json of ["", "--json"]) {
      const r = await runBin(`init --dry-run --root ${root} ${json}`, opts);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/nixi/);
      expect(r.stdout + r.stderr).not.toContain(S);
    }
  });
});

describe("6: container inspect shows command lines without --password values", () => {
  it("human and --json", async () => {
    const root = tmp();
    const shims = tmp("nixi-disp-shims-");
    const inspect = JSON.stringify([
      {
        Name: "db",
        Id: "abc123",
        ImageName: "postgres:16",
        State: { Status: "running", Running: true, StartedAt: "2026-12-01T10:00:00Z" },
        Config: { Env: ["PGPASSWORD=x"], Cmd: ["postgres", "--password", `${S}20`, "--auth-token=" + `${S}21`, "-c", "max_connections=10"] },
        Mounts: [],
        NetworkSettings: { Networks: { nixi: {} }, Ports: {} },
      },
    ]);
    // strict: answers only what container inspect asks, exits 99 on anything else
    writeFileSync(
      join(shims, "podman"),
      `#!/bin/sh\ncase "$*" in\n  "container inspect db") cat <<'JSON'\n${inspect}\nJSON\n;;\n  *) echo "podman shim: unexpected: $*" >&2; exit 99;;\nesac\n`,
    );
    chmodSync(join(shims, "podman"), 0o755);
    mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/nixi/state.toml"), `[containers]\nbackend = "podman"\n[containers.containers.db]\nimage = "postgres:16"\n`);
    for (const json of ["", " --json"]) {
      const r = await runBin(`container inspect db --root ${root}${json}`, { path: [shims, FAKES], env: { NIXI_ROOT_EXEC: "1" } });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(S);
      expect(r.stdout).toContain("max_connections=10");
      if (json) expect(r.json.data.runtime.cmd).toEqual(["postgres", "--password", "***", "--auth-token=***", "-c", "max_connections=10"]);
    }
  });
});

describe("7: a hand-edited state.toml is checked like config set before it is rendered", () => {
  const PEM = `-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${S}\\n-----END PRIVATE KEY-----`;
  it.each([
    [`[options]\n"services.foo.password" = "${S}"\n`],
    [`[options]\n"services.foo.settings" = { admin = { pass = "${S}" } }\n`],
    [`[options]\n"services.foo.tlsKey" = "${PEM}"\n`],
    [`[options]\n"services.foo.database" = "postgres://app:${S}@db/app"\n`],
    [`[options]\n"services.foo.upstream" = "https://${S}@api.example.org/"\n`],
    [`[timers.backup]\ncommand = "curl -H 'Authorization: Bearer ${S}' https://x"\non_calendar = "daily"\n`],
  ])("%s", async (toml) => {
    const root = tmp();
    mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/configuration.nix"), "{ imports = [ ./nixi ]; }\n");
    writeFileSync(join(root, "etc/nixos/nixi/state.toml"), toml);
    for (const cmd of ["fw open 8080 --yes --json", "system rebuild --yes --json"]) {
      const r = await runBin(`${cmd} --root ${root}`, opts);
      expect(r.exitCode, cmd + r.stdout + r.stderr).toBe(4);
      expect(r.json.error.code).toBe("INSECURE");
      expect(r.json.error.message).toMatch(/state\.toml/);
      expect(r.stdout + r.stderr).not.toContain(S);
    }
    expect(existsSync(join(root, "etc/nixos/nixi/options.nix"))).toBe(false);
    expect(existsSync(join(root, "etc/nixos/nixi/timers.nix"))).toBe(false);
  });

  it("config set refuses the new shapes without echoing them", async () => {
    const root = tmp();
    const values = [
      `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIF${S}\nPrivate-MAC: 5b1e${S}`,
      `sk_live_${S}abcdef`,
      `https://${S}@hooks.example.org/x`,
      `postgres://:${S}@db/app`,
    ];
    for (const v of values) {
      const r = await runBin(["config", "set", "services.foo.extraConfig", v, "--yes", "--json", "--root", root], opts);
      expect(r.exitCode, v).toBe(4);
      expect(r.json.error.code).toBe("INSECURE");
      expect(r.stdout + r.stderr).not.toContain(S);
    }
    // the same shapes in a container's --env value (it would be rendered into containers.nix)
    for (const v of [`postgres://app:${S}@db/app`, `sk_live_${S}abcdef`]) {
      const r = await runBin(["container", "deploy", "web", "--image", "nginx:1.27", "--env", `DATABASE_URL=${v}`, "--backend", "podman", "--yes", "--json", "--root", root], opts);
      expect(r.exitCode, v).toBe(4);
      expect(r.json.error.message).toContain("DATABASE_URL");
      expect(r.json.error.hint).toContain("--env-secret DATABASE_URL");
      expect(r.stdout + r.stderr).not.toContain(S);
    }
    expect(existsSync(join(root, "etc/nixos/nixi/state.toml"))).toBe(false);
  });
});
