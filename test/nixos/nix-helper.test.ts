// The test helpers themselves: real nix-instantiate, stub lib/pkgs, default.nix merging.
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evalDefaultNix, evalModule, evalNixExpr, parseNix, pkgRefsIn, resolveMk } from "../helpers/nix.js";
import { tempDir } from "../helpers/tree.js";

async function tmp(files: Record<string, string>): Promise<string> {
  const dir = tempDir("nixi-helper-");
  for (const [f, c] of Object.entries(files)) {
    await mkdir(join(dir, f, ".."), { recursive: true });
    await writeFile(join(dir, f), c);
  }
  return dir;
}

describe("nix helpers", () => {
  it("evaluates an expression with real nix-instantiate", async () => {
    expect(await evalNixExpr("1 + 1")).toBe(2);
    expect(await evalNixExpr('{ b = [ 1 "x" null true ]; a = 1.5; }')).toEqual({ a: 1.5, b: [1, "x", null, true] });
  });

  it("parseNix throws with nix's message", async () => {
    const d = await tmp({ "bad.nix": "{ a = ; }" });
    await expect(parseNix(join(d, "bad.nix"))).rejects.toThrow(/syntax error/);
    const g = await tmp({ "ok.nix": "{ a = 1; }" });
    await expect(parseNix(join(g, "ok.nix"))).resolves.toContain("a = 1");
  });

  it("evalModule applies the module to stub lib/pkgs/config and keeps mk* tags", async () => {
    const d = await tmp({
      "m.nix": `{ config, lib, pkgs, ... }:
{
  environment.systemPackages = [ pkgs.htop pkgs.python3Packages.requests ];
  systemd.services.x.script = "\${pkgs.curl}/bin/curl " + lib.escapeShellArg "it's";
  services.a.enable = lib.mkDefault true;
  services.b = lib.mkIf false { enable = true; };
  services.c = lib.mkMerge [ { x = [ 1 ]; } (lib.mkIf true { x = [ 2 ]; }) ];
  networking.hostName = lib.mkForce (lib.concatStringsSep "-" [ "a" "b" ]);
} // lib.optionalAttrs true { extra = lib.optionals false [ 1 ]; }
`,
    });
    const v = await evalModule(join(d, "m.nix"));
    expect(v.environment.systemPackages).toEqual(["<pkg:htop>", "<pkg:python3Packages.requests>"]);
    expect(v.systemd.services.x.script).toBe("<pkg:curl>/bin/curl 'it'\\''s'");
    expect(v.services.a.enable).toEqual({ _type: "override", priority: 1000, content: true });
    expect(v.services.b).toEqual({ _type: "if", condition: false, content: { enable: true } });
    expect(v.networking.hostName).toEqual({ _type: "override", priority: 50, content: "a-b" });
    expect(v.extra).toEqual([]);
    const r = resolveMk(v);
    expect(r.services).toEqual({ a: { enable: true }, c: { x: [1, 2] } });
    expect(r.networking.hostName).toBe("a-b");
  });

  it("finds pkgs references", () => {
    expect(pkgRefsIn("[ pkgs.a pkgs.b.c xpkgs.no ]\n${pkgs.d}")).toEqual(["a", "b.c", "d"]);
  });

  it("evalDefaultNix follows imports and merges like the module system", async () => {
    const d = await tmp({
      "default.nix": "{ imports = [ ./a.nix ./b.nix ]; }\n",
      "a.nix": "{ lib, ... }: { networking.firewall.allowedTCPPorts = [ 80 ]; networking.firewall.enable = true; }",
      "b.nix": "{ config, pkgs, ... }: { imports = [ ./c.nix ]; networking.firewall.allowedTCPPorts = [ 443 ]; environment.systemPackages = [ pkgs.git ]; }",
      "c.nix": "{ networking.firewall.enable = true; }",
    });
    expect(await evalDefaultNix(d)).toEqual({
      networking: { firewall: { allowedTCPPorts: [80, 443], enable: true } },
      environment: { systemPackages: ["<pkg:git>"] },
    });
    const e = await tmp({
      "default.nix": "{ imports = [ ./a.nix ./b.nix ]; }\n",
      "a.nix": "{ networking.hostName = \"a\"; }",
      "b.nix": "{ networking.hostName = \"b\"; }",
    });
    await expect(evalDefaultNix(e)).rejects.toThrow(/networking.hostName has conflicting definition values/);
  });
});
