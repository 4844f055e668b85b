// The offline catalog: renamed/removed options refused with their replacement, type checks for
// every type constructor, command-line values typed by the option, quoted attribute names that
// round-trip through render -> nix-instantiate, "did you mean", --force, and [options] in a
// hand-edited state.toml.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, NIXI_DIR } from "../helpers/tree.js";
import { evalNix } from "../helpers/nix.js";
import { findRename, lookupOption, searchOptions, suggestPaths, splitCatalogPath } from "../../src/options/catalog.js";
import { verifyWithCatalog, refusal } from "../../src/options/verify.js";
import { checkValue, parseType } from "../../src/options/types.js";
import { redact } from "../../src/core/redact.js";

const RENAMES = JSON.parse(readFileSync(new URL("../../../shared/nixos/nixos-option-renames.json", import.meta.url), "utf8")) as Record<string, { now: string | null; kind: string; release?: string }>;

afterAll(cleanupRoots);

describe("renamed and removed options", () => {
  const entries = Object.entries(RENAMES).filter(([p]) => !p.startsWith("_"));
  it("covers every entry of nixos-option-renames.json", () => expect(entries.length).toBeGreaterThan(20));
  for (const [path, rec] of entries) {
    it(`refuses ${path} naming ${rec.now ?? "its removal"}`, () => {
      const segs = splitCatalogPath(path.replace("<name>", "alice"));
      const err = refusal(verifyWithCatalog(segs, true));
      expect(err).not.toBeNull();
      expect(err!.exitCode).toBe(2);
      if (rec.now) expect(err!.message).toContain(rec.now);
      else expect(err!.message).toMatch(/removed/);
      if (rec.release) expect(err!.message).toContain(rec.release);
    });
  }
  it("config set refuses hardware.opengl.enable with the replacement and release, writing nothing", async () => {
    const root = makeRoot();
    const before = treeHash(root);
    const r = await run(["config", "set", "hardware.opengl.enable", "true", "--yes", "--no-rebuild", "--root", root]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("hardware.opengl.enable was renamed to hardware.graphics.enable in 24.11");
    expect(treeHash(root)).toBe(before);
  });
});

describe("type checks for each constructor", () => {
  // [catalog path or type description, good value, bad value]
  const cases: Array<[string, unknown, unknown]> = [
    ["networking.firewall.enable", true, "yes"], // bool
    ["boot.loader.timeout", 5, 5.5], // null or signed integer
    ["services.openssh.ports", [22, 2222], [70000]], // list of port
    ["services.nginx.virtualHosts.<name>.listen.*.port", 8080, -1], // port (null or)
    ["signed integer or floating point number", 2.5, "2.5"], // float via either
    ["networking.hostName", "web1", "bad host!"], // str (pattern)
    ["services.nginx.virtualHosts.<name>.root", "/srv/www", "srv/www"], // path
    ["services.openssh.settings.PermitRootLogin", "no", "maybe"], // enum
    ["boot.kernel.sysctl", { "net.ipv4.ip_forward": 1 }, { "net.ipv4.ip_forward": [1] }], // attrsOf
    ["time.timeZone", null, 3], // nullOr
    ["string or list of string", ["a"], 3], // either
    ["fileSystems", { "/srv": { device: "/dev/sdb1" } }, ["/srv"]], // attrsOf submodule
  ];
  for (const [what, good, bad] of cases) {
    it(`${what}: ${JSON.stringify(good)} ok, ${JSON.stringify(bad)} refused`, () => {
      const opt = what.includes(" ") ? null : lookupOption(what);
      const t = parseType(opt ? opt.type : what);
      expect(t.k).not.toBe("unknown");
      expect(checkValue(t, good).ok).not.toBe(false);
      expect(checkValue(t, bad).ok).toBe(false);
    });
  }
  it("a submodule value is checked against the sub-options the catalog lists", () => {
    expect(refusal(verifyWithCatalog(["services", "openssh"], { enable: true, settings: { PasswordAuthentication: false } }))).toBeNull();
    expect(refusal(verifyWithCatalog(["services", "openssh"], { enable: "yes" }))?.message).toMatch(/services\.openssh\.enable.*boolean/);
  });
  it("attribute names below an attrsOf option take the element type", () => {
    expect(refusal(verifyWithCatalog(["boot", "kernel", "sysctl", "net.ipv4.ip_forward"], 1))).toBeNull();
    expect(verifyWithCatalog(["services", "nginx", "virtualHosts", "example.org", "root"], "/srv/www")[0].kind).toBe("ok");
  });
});

describe("config set through the CLI", () => {
  // without NIXI_ROOT_EXEC: under --root nothing is evaluated (the catalog check stands)
  const set = (root: string, ...args: string[]) => run(["config", "set", ...args, "--yes", "--no-rebuild", "--root", root, "--json"], { env: { NIXI_ROOT_EXEC: undefined } });
  it("refuses the issue's examples with exit 2 and writes nothing", async () => {
    const root = makeRoot();
    const before = treeHash(root);
    const cases: Array<[string, string, RegExp]> = [
      ["services.nonexistent.foo", "true", /cannot verify services\.nonexistent\.foo.*--root/],
      ["networking.firewall.allowedTCPPorts", "80", /list of port.*\[80\]/],
      ["services.openssh.settings.PasswordAuthentication", "yes", /"yes" is a string, expected a boolean: write true or false/],
      ["services.openssh.passwordAuthentication", "false", /renamed to services\.openssh\.settings\.PasswordAuthentication in 23\.05/],
    ];
    for (const [opt, value, msg] of cases) {
      const r = await set(root, opt, value);
      expect(r.exitCode, opt).toBe(2);
      expect(r.json.error.message, opt).toMatch(msg);
    }
    expect(treeHash(root)).toBe(before);
  });
  it("a version string stays a string; the skipped full check is reported", async () => {
    const root = makeRoot();
    const r = await set(root, "system.stateVersion", "24.11");
    expect(r.exitCode).toBe(0);
    expect(r.json.data).toMatchObject({ value: "24.11", verified: "catalog", evaluation: { evaluated: false } });
    expect(r.json.data.evaluation.skipped).toMatch(/--root/);
    expect(await evalNix(root, "options.nix")).toEqual({ system: { stateVersion: "24.11" } });
  });
  it("quoted attribute names round-trip through render and nix-instantiate", async () => {
    const root = makeRoot();
    expect((await set(root, 'boot.kernel.sysctl."net.ipv4.ip_forward"', "1")).exitCode).toBe(0);
    expect((await set(root, 'services.nginx.virtualHosts."example.org".root', "/srv/www")).exitCode).toBe(0);
    expect(await evalNix(root, "options.nix")).toEqual({
      boot: { kernel: { sysctl: { "net.ipv4.ip_forward": 1 } } },
      services: { nginx: { virtualHosts: { "example.org": { root: "/srv/www" } } } },
    });
  });
  it("did you mean: a mistyped path gets the near catalog paths", async () => {
    expect(suggestPaths(["services", "opensh", "enable"])).toContain("services.openssh.enable");
    const r = await set(makeRoot(), "services.opensh.enable", "true");
    expect(r.exitCode).toBe(2);
    expect(r.json.error.hint).toContain("did you mean services.openssh.enable");
  });
  it("--force writes an option nixi cannot verify, with a warning", async () => {
    const root = makeRoot();
    const r = await run(["config", "set", "services.myown.enable", "true", "--yes", "--no-rebuild", "--force", "--root", root, "--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data.verified).toBe("forced");
    expect(r.json.warnings.join("\n")).toMatch(/--force: writing services\.myown\.enable unverified/);
    expect(await evalNix(root, "options.nix")).toEqual({ services: { myown: { enable: true } } });
  });
});

describe("config show and unset", () => {
  it("config show prints booleans of secret-named options (PasswordAuthentication = false)", async () => {
    const root = makeRoot();
    expect((await run(["config", "set", "services.openssh.settings.PasswordAuthentication", "false", "--yes", "--no-rebuild", "--root", root])).exitCode).toBe(0);
    const r = await run(["config", "show", "--root", root]);
    expect(r.stdout).toContain("PasswordAuthentication = false;");
    expect(r.stdout).toContain('"services.openssh.settings.PasswordAuthentication" = false');
  });
  it("config unset of an old name says what it was renamed to", async () => {
    const r = await run(["config", "unset", "hardware.opengl.enable", "--yes", "--no-rebuild", "--root", makeRoot(), "--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.warnings[0]).toMatch(/not set by nixi \(hardware\.opengl\.enable was renamed to hardware\.graphics\.enable in 24\.11\)/);
  });
});

describe("[options] in a hand-edited state.toml", () => {
  it("system rebuild refuses a renamed option and a wrong type (exit 2), nothing written", async () => {
    for (const [line, msg] of [
      ['"hardware.opengl.enable" = true', /hardware\.opengl\.enable was renamed to hardware\.graphics\.enable in 24\.11/],
      ['"networking.firewall.allowedTCPPorts" = 80', /allowedTCPPorts does not take this value/],
    ] as const) {
      const root = makeRoot({ [`${NIXI_DIR}/state.toml`]: `version = 1\n\n[options]\n${line}\n` });
      const before = treeHash(root);
      const r = await run(["system", "rebuild", "--yes", "--root", root, "--json"], { env: { NIXI_ROOT_EXEC: "1" } });
      expect(r.exitCode, line).toBe(2);
      expect(r.json.error.code).toBe("STATE_INVALID");
      expect(r.json.error.message).toMatch(msg);
      expect(treeHash(root)).toBe(before);
    }
  });
});

describe("search and redaction", () => {
  it("search ranks the exact part first", () => {
    const { hits } = searchOptions("openssh passwordauthentication", 3);
    expect(hits[0].path).toBe("services.openssh.settings.PasswordAuthentication");
  });
  it("booleans and Nix numbers are never masked; strings of secret-named options are", () => {
    expect(redact("PasswordAuthentication = false;")).toBe("PasswordAuthentication = false;");
    expect(redact('"apiPassword": 1234')).toBe('"apiPassword": 1234');
    expect(redact('password = "hunter22";')).toBe('password = "***";');
    expect(redact("DB_PASSWORD=123456")).toBe("DB_PASSWORD=***");
  });
  it("findRename matches <name> paths", () => expect(findRename(["users", "users", "bob", "passwordFile"])?.now).toBe("users.users.<name>.hashedPasswordFile"));
});
