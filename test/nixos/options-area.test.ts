// The options area: state.toml [options] -> options.nix.
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { optionsArea, parseOptionPath, formatOptionPath } from "../../src/nixos/modules/options.js";
import { parseState, emptyState } from "../../src/nixos/state.js";
import { renderModule } from "../../src/nixos/render.js";
import { NixiError } from "../../src/core/errors.js";
import { evalModule } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";
import { run } from "../helpers/run.js";
import { hashTree, makeRoot } from "../config/fixture.js";
import { tempDir } from "../helpers/tree.js";

async function evalBody(body: object): Promise<any> {
  const dir = tempDir("nixi-opt-");
  await writeFile(join(dir, "options.nix"), renderModule(body as any));
  return evalModule(join(dir, "options.nix"));
}

describe("option paths", () => {
  it.each([
    ["services.nginx.enable", ["services", "nginx", "enable"]],
    ['fileSystems."/srv/data".device', ["fileSystems", "/srv/data", "device"]],
    ['services.nginx.virtualHosts."example.org".root', ["services", "nginx", "virtualHosts", "example.org", "root"]],
    ['a."with \\"quote\\"".b', ["a", 'with "quote"', "b"]],
    ["boot.loader.systemd-boot.enable", ["boot", "loader", "systemd-boot", "enable"]],
    ['a."${x}"', ["a", "${x}"]],
  ])("%s", (text, segs) => {
    expect(parseOptionPath(text)).toEqual(segs);
    expect(parseOptionPath(formatOptionPath(segs))).toEqual(segs);
  });

  it("formats canonically", () => {
    expect(formatOptionPath(["a", "b c", "d.e", "f"])).toBe('a."b c"."d.e".f');
  });
});

describe("optionsArea.render", () => {
  it("empty table -> null (no file)", () => {
    expect(optionsArea.render({}, emptyState())).toBeNull();
    expect(optionsArea.render(undefined, emptyState())).toBeNull();
  });

  it("nested attribute set from dotted keys; hand-written unquoted TOML keys mean the same", async () => {
    const quoted = parseState(
      `version = 1
[options]
"services.nginx.enable" = true
"services.nginx.virtualHosts.\\"example.org\\".root" = "/srv/www/data"
"networking.firewall.allowedTCPPorts" = [80, 443]
"nix.settings.experimental-features" = ["nix-command", "flakes"]
`,
      "state.toml",
    );
    const unquoted = parseState(
      `version = 1
[options]
services.nginx.enable = true
services.nginx.virtualHosts."example.org".root = "/srv/www/data"
networking.firewall.allowedTCPPorts = [80, 443]
nix.settings.experimental-features = ["nix-command", "flakes"]
`,
      "state.toml",
    );
    const a = optionsArea.render(quoted.options, quoted)!;
    const b = optionsArea.render(unquoted.options, unquoted)!;
    expect(b).toEqual(a);
    const v = await evalBody(a);
    expect(v).toEqual({
      networking: { firewall: { allowedTCPPorts: [80, 443] } },
      nix: { settings: { "experimental-features": ["nix-command", "flakes"] } },
      services: { nginx: { enable: true, virtualHosts: { "example.org": { root: "/srv/www/data" } } } },
    });
    expect(checkOptionPaths(v)).toEqual([]);
  });

  it("sets merge; a value set twice differently is a STATE_INVALID error", () => {
    expect(optionsArea.render({ "services.a": { x: 1 }, "services.a.y": 2 }, emptyState())).toEqual({ services: { a: { x: 1, y: 2 } } });
    for (const bad of [{ "services.a": 1, "services.a.b": 2 }, { "services.a": { b: 1 }, "services.a.b": 2 }, { a: 1 }, { "a..b": 1 }]) {
      expect(() => optionsArea.render(bad, emptyState())).toThrow(NixiError);
      try {
        optionsArea.render(bad, emptyState());
      } catch (e) {
        expect((e as NixiError).exitCode).toBe(2);
      }
    }
  });

  it("TOML dates become strings", () => {
    const s = parseState('version = 1\n[options]\n"services.x.when" = 2024-01-02T03:04:05Z\n', "state.toml");
    expect(optionsArea.render(s.options, s)).toEqual({ services: { x: { when: "2024-01-02T03:04:05.000Z" } } });
  });
});

describe("through the CLI", () => {
  it("hostile names and values are data, not code", async () => {
    const root = await makeRoot();
    const name = 'services."${builtins.abort \\"pwned\\"}".extraConfig';
    const value = '"; networking.firewall.enable = false; x = "${builtins.abort "pwned"}\'\'';
    const r = await run(["config", "set", name, value, "--yes", "--no-rebuild", "--force", "--root", root]);
    expect(r.exitCode, r.stderr).toBe(0);
    const v = await evalModule(join(root, "etc/nixos/nixi/options.nix"));
    expect(v).toEqual({ services: { '${builtins.abort "pwned"}': { extraConfig: value } } });
  });

  it("a value Nix cannot hold (NUL) is exit 2 and nothing is written", async () => {
    const root = await makeRoot();
    const before = await hashTree(root);
    const r = await run(["config", "set", "services.x.text", '"a\\u0000b"', "--yes", "--force", "--root", root]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("NUL");
    expect(await hashTree(root)).toBe(before);
  });

  it("a hand-broken [options] table is reported with the file, exit 2, and never overwritten", async () => {
    const state = 'version = 1\n[options]\n"services.a" = 1\n"services.a.b" = 2\n';
    const root = await makeRoot({ "etc/nixos/configuration.nix": "{ }", "etc/nixos/nixi/state.toml": state });
    const r = await run(["config", "set", "services.c.enable", "true", "--yes", "--force", "--root", root]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("state.toml [options]");
    expect(await readFile(join(root, "etc/nixos/nixi/state.toml"), "utf8")).toBe(state);
  });
});
