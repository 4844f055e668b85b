// nix/module.nix (services.nixi) evaluated with the REAL nixpkgs lib (../shared/nixos/nixpkgs-lib):
// the few NixOS options it sets are declared here with real lib.types, lib.evalModules merges and
// type-checks, and the tests assert the system it produces. The sudo rules must equal what
// `nixi node setup` writes (src/nixos/node-setup.ts), and the config.toml it writes must load
// through nixi's own config loader as the system layer under the user's config.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { nixEnv, parseNix } from "../helpers/nix.js";
import { NIXOS_DECLS as DECLS } from "../helpers/nixos-decls.js";
import { REPO } from "../helpers/run.js";
import { NIXPKGS_LIB as LIB } from "../helpers/nixos-tree.js";
import { renderNodeSetup } from "../../src/nixos/node-setup.js";
import { loadConfig } from "../../src/core/config.js";

const work = mkdtempSync(join(tmpdir(), `nixi-module-${process.pid}-`));
afterAll(() => rmSync(work, { recursive: true, force: true }));


/** Evaluate services-nixi.nix with `config` (a Nix attribute set) -> the parts of the system it sets. */
function evalWith(config: string, folder = join(work, "no-folder")): any {
  const expr = `let
    lib = import ${LIB};
    pkgs = { nixi = { type = "derivation"; name = "nixi-0.1.0"; outPath = "/nix/store/00000000000000000000000000000000-nixi-0.1.0"; }; };
    eval = lib.evalModules { modules = [ (${DECLS}) (import ${join(REPO, "nix", "services-nixi.nix")} { nixiFolder = "${folder}"; }) { _module.args.pkgs = pkgs; } (${config}) ]; };
    c = eval.config;
  in {
    failed = map (a: a.message) (lib.filter (a: !a.assertion) c.assertions);
    toml = c.environment.etc."nixi/config.toml".text or null;
    sudo = c.security.sudo.extraRules;
    tmpfiles = c.systemd.tmpfiles.rules;
    users = c.users.users; groups = lib.attrNames c.users.groups;
    packages = map (p: p.name) c.environment.systemPackages;
    services = lib.mapAttrs (_: s: { inherit (s) description script serviceConfig; path = map (p: p.name or p) s.path; }) c.systemd.services;
    timers = c.systemd.timers;
    imported = c.test.imported;
  }`;
  const r = spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: nixEnv(), encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`nix-instantiate failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const NODES = `{ services.nixi = {
  enable = true;
  nodes = [
    { name = "web1"; host = "10.0.0.5"; tags = [ "web" "eu" ]; }
    { name = "db"; host = "db.lan"; port = 2222; user = "ops"; mode = "monitored"; }
  ];
  settings = { rebuild.mode = "boot"; ssh.connect_timeout = 5; health.disk_percent = 85; };
  ask.model = "qwen2.5:7b";
}; }`;

describe("services.nixi with the real nixpkgs lib", () => {
  const base = evalWith(NODES);

  it("writes /etc/nixi/config.toml with the nodes and settings, and nixi loads it as the system layer", async () => {
    expect(base.failed).toEqual([]);
    const parsed = parseToml(base.toml) as any;
    expect(parsed.nodes).toEqual([
      { name: "web1", host: "10.0.0.5", port: 22, user: "nixi", mode: "managed", tags: ["web", "eu"] },
      { name: "db", host: "db.lan", port: 2222, user: "ops", mode: "monitored" },
    ]);
    expect(parsed.rebuild).toEqual({ mode: "boot" });
    expect(parsed.ask).toEqual({ model: "qwen2.5:7b" });
    // the user's own config is merged over it: db is redefined, a node is added, [ssh] keeps the system value
    const sys = join(work, "system.toml");
    const own = join(work, "own.toml");
    writeFileSync(sys, base.toml);
    writeFileSync(own, '[health]\ndisk_percent = 70\n\n[[nodes]]\nname = "db"\nhost = "db2.lan"\n\n[[nodes]]\nname = "lab"\nhost = "127.0.0.1"\n');
    const cfg = await loadConfig(own, { NIXI_SYSTEM_CONFIG: sys });
    expect(cfg.nodes.map((n) => [n.name, n.host, n.mode])).toEqual([["web1", "10.0.0.5", "managed"], ["db", "db2.lan", "managed"], ["lab", "127.0.0.1", "managed"]]);
    expect(cfg.rebuild.mode).toBe("boot");
    expect(cfg.ssh.connectTimeoutSeconds).toBe(5);
    expect(cfg.health.diskPercent).toBe(70);
    // the layer can be turned off
    expect((await loadConfig(own, { NIXI_SYSTEM_CONFIG: "" })).nodes.map((n) => n.name)).toEqual(["db", "lab"]);
  });

  it("sudo rules are exactly the ones `nixi node setup` writes (same source), none blanket", () => {
    const setup = renderNodeSetup({ user: "nixi", runtime: "podman" }) as any;
    expect(base.sudo).toEqual(setup.security.sudo.extraRules);
    const commands: string[] = base.sudo[0].commands.map((c: any) => c.command);
    expect(commands.length).toBeGreaterThan(20);
    expect(commands.some((c) => /^ALL\b/.test(c) || /\/(sh|bash|env)$/.test(c))).toBe(false);
    const docker = evalWith(`{ services.nixi.enable = true; services.nixi.user = "ops"; virtualisation.docker.enable = true; }`);
    expect(docker.sudo).toEqual((renderNodeSetup({ user: "ops", runtime: "docker" }) as any).security.sudo.extraRules);
    expect(evalWith(`{ services.nixi.enable = true; services.nixi.sudoRules.enable = false; }`).sudo).toEqual([]);
  });

  it("creates the nixi system user with a home, /srv owned by it and /srv/.credentials 0700 root, and installs the package", () => {
    expect(base.users).toEqual({ nixi: { isSystemUser: true, group: "nixi", home: "/var/lib/nixi", createHome: true, description: "nixi" } });
    expect(base.groups).toEqual(["nixi"]);
    expect(base.tmpfiles).toEqual(["d /srv 0755 nixi nixi - -", "d /srv/.credentials 0700 root root - -"]);
    expect(base.packages).toEqual(["nixi-0.1.0"]);
    expect(base.services).toEqual({});
    expect(base.timers).toEqual({});
  });

  it("disabled: nothing is set", () => {
    const off = evalWith(`{ services.nixi.nodes = [ { name = "a"; host = "b"; } ]; }`);
    expect([off.toml, off.sudo, off.tmpfiles, off.users, off.packages]).toEqual([null, [], [], {}, []]);
  });

  it("healthCheck: a service and timer; the webhook is read at run time, never in the store or on argv", () => {
    const secretUrl = `https://hooks.invalid/T${process.pid}-secret-token`;
    const hookFile = join(work, "webhook");
    writeFileSync(hookFile, secretUrl + "\n", { mode: 0o600 });
    const h = evalWith(`{ services.nixi = { enable = true; healthCheck = { enable = true; onCalendar = "*:0/15"; webhookFile = "${hookFile}"; }; }; }`);
    expect(h.failed).toEqual([]);
    expect(JSON.stringify(h)).not.toContain("secret-token");
    const svc = h.services["nixi-health"];
    expect(svc.serviceConfig).toEqual({ Type: "oneshot", RuntimeDirectory: "nixi-health", RuntimeDirectoryMode: "0700", LoadCredential: `webhook:${hookFile}` });
    expect(svc.path).toEqual(["nixi-0.1.0"]);
    expect(h.timers["nixi-health"]).toEqual({ wantedBy: ["timers.target"], timerConfig: { OnCalendar: "*:0/15", Persistent: true } });

    // Run the unit's script in a real shell the way systemd would (credentials and runtime folders),
    // with a stand-in nixi that records its argv and the config it was given, and exits 8 (a check failed).
    const bin = join(work, "bin");
    const cred = join(work, "cred");
    const runtime = join(work, "runtime");
    for (const d of [bin, cred, runtime]) mkdirSync(d, { recursive: true });
    writeFileSync(join(cred, "webhook"), secretUrl + "\n");
    writeFileSync(join(bin, "nixi"), `#!/bin/sh\nprintf '%s\\n' "$*" > ${work}/argv\ncat "$NIXI_CONFIG" > ${work}/config\nexit 8\n`);
    chmodSync(join(bin, "nixi"), 0o755);
    const r = spawnSync("bash", ["-c", svc.script], { env: { PATH: `${bin}:/usr/bin:/bin`, CREDENTIALS_DIRECTORY: cred, RUNTIME_DIRECTORY: runtime }, encoding: "utf8" });
    expect(r.status).toBe(8);
    expect(execFileSync("cat", [join(work, "argv")], { encoding: "utf8" })).toBe("system health\n");
    expect(parseToml(execFileSync("cat", [join(work, "config")], { encoding: "utf8" }))).toEqual({ health: { webhook: secretUrl } });
    // a file that is not a URL stops the unit before nixi runs
    writeFileSync(join(cred, "webhook"), "not a url\n");
    const bad = spawnSync("bash", ["-c", svc.script], { env: { PATH: `${bin}:/usr/bin:/bin`, CREDENTIALS_DIRECTORY: cred, RUNTIME_DIRECTORY: runtime }, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("does not start with http");
  });

  it.each([
    [`{ services.nixi = { enable = true; nodes = [ { name = "a"; host = "x"; } { name = "a"; host = "y"; } ]; }; }`, "node names must be unique"],
    [`{ services.nixi = { enable = true; nodes = [ { name = "bad name"; host = "x"; } ]; }; }`, "a node name is 1-63"],
    [`{ services.nixi = { enable = true; user = "root"; }; }`, "needs no sudo rules"],
    [`{ services.nixi = { enable = true; srvDir = "/data"; }; }`, "srvDir = /data"],
    [`{ services.nixi = { enable = true; healthCheck.webhookFile = "/run/secrets/w"; }; }`, "healthCheck.enable is false"],
    [`{ services.nixi = { enable = true; healthCheck = { enable = true; webhookFile = "/nix/store/abc-webhook"; }; }; }`, "outside the Nix store"],
    [`{ services.nixi = { enable = true; ask.host = "http://a:1"; settings.ask.host = "http://b:2"; }; }`, "ask.host and settings.ask.host disagree"],
    [`{ services.nixi = { enable = true; settings.rebuild.mode = "dry"; }; }`, "rebuild.mode must be switch, test or boot"],
  ])("assertion fires: %s", (config, message) => {
    const r = evalWith(config);
    expect(r.failed.length).toBe(1);
    expect(r.failed[0]).toContain(message);
  });

  it("a bad type is refused by the module system itself", () => {
    expect(() => evalWith(`{ services.nixi = { enable = true; nodes = [ { name = "a"; host = "x"; mode = "owned"; } ]; }; }`)).toThrow(/mode/);
  });

  it("imports nixi's folder when it has a default.nix", () => {
    const folder = join(work, "nixi-folder");
    mkdirSync(folder, { recursive: true });
    expect(evalWith(NODES, folder).imported).toBe(false);
    writeFileSync(join(folder, "default.nix"), "{ ... }: { test.imported = true; }\n");
    expect(evalWith(`{ }`, folder).imported).toBe(true);
  });
});

describe("every .nix file of the repository parses", () => {
  const files = ["flake.nix", ...readdirSync(join(REPO, "nix")).filter((f) => f.endsWith(".nix")).map((f) => `nix/${f}`)];
  it("lists flake.nix, package.nix, module.nix", () => expect(files).toEqual(expect.arrayContaining(["flake.nix", "nix/package.nix", "nix/module.nix"])));
  it.each(files)("%s", async (f) => {
    await expect(parseNix(join(REPO, f))).resolves.toBeTypeOf("string");
  });
});

describe("nix/package.nix with the real nixpkgs lib", () => {
  // buildNpmPackage and importNpmLock stand in as functions returning their arguments (no nixpkgs
  // package set here); lib, the lockfile and the URL derivation are real.
  const evalPackage = (registryArg: string) => {
    const expr = `let
      lib = import ${LIB};
      pkg = import ${join(REPO, "nix", "package.nix")} {
        inherit lib; path = /nonexistent;
        buildNpmPackage = a: a;
        importNpmLock = { __functor = _: a: a; npmConfigHook = "npmConfigHook"; };
        nodejs = "nodejs"; installShellFiles = "installShellFiles";
        ${registryArg}
      };
    in { packages = pkg.passthru.packageLock.packages; pname = pkg.pname; version = pkg.version; hook = pkg.npmConfigHook;
         files = pkg.passthru.sourcePaths; }`;
    return spawnSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: nixEnv(), encoding: "utf8", timeout: 120_000 });
  };

  it("derives every dependency's tarball URL from name and version on the given registry, keeping integrity", () => {
    const r = evalPackage(`npmRegistry = "https://registry.invalid/";`);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.pname, out.hook]).toEqual(["nixi", "npmConfigHook"]);
    const lock = JSON.parse(execFileSync("cat", [join(REPO, "package-lock.json")], { encoding: "utf8" }));
    for (const [key, entry] of Object.entries<any>(lock.packages)) {
      if (key === "" || entry.link || !entry.integrity) continue;
      const name = entry.name ?? key.split("node_modules/").pop();
      const base = name.split("/").pop();
      expect(out.packages[key].resolved).toBe(`https://registry.invalid/${name}/-/${base}-${entry.version}.tgz`);
      expect(out.packages[key].integrity).toBe(entry.integrity);
    }
    expect(out.packages["node_modules/@types/node"].resolved).toMatch(/\/@types\/node\/-\/node-[0-9.]+\.tgz$/);
  });

  it("its source holds everything of package.json's files that the build does not make", () => {
    const r = evalPackage(`npmRegistry = "https://registry.invalid/";`);
    expect(r.status, r.stderr).toBe(0);
    const files: string[] = JSON.parse(r.stdout).files;
    const pkgJson = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    const wanted = [...pkgJson.files.filter((f: string) => f !== "dist"), "LICENSE", "README.md", "package-lock.json", "scripts/build.mjs"];
    // (lib.fileset needs a newer Nix than this machine's to list files: the paths it is made of)
    for (const w of wanted) expect(files.some((f) => f === w || w.startsWith(f + "/")), w).toBe(true);
    for (const f of files) expect(existsSync(join(REPO, f)), f).toBe(true);
  });

  it("without a registry (and no npm mirror in nixpkgs) it stops with what to do", () => {
    const r = evalPackage(`npmRegistry = null;`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Pass the registry you use");
  });
});
