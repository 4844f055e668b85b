import { beforeEach, describe, expect, it } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { makeEnv, treeHash, type Env } from "./_env.js";
import { evalModule, parseNix } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";

const NIXI = "etc/nixos/nixi";

describe("pkg search", () => {
  it("flake system: nix search --json, ranked, --limit", async () => {
    const e = makeEnv({ flake: true });
    const r = await e.run("pkg search htop --json --limit 2");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(e.calls()).toEqual(["nix --extra-experimental-features nix-command\\ flakes search nixpkgs htop --json"]);
    expect(r.json.data).toEqual({
      term: "htop", source: "nix search", total: 3,
      results: [
        { attr: "htop", pname: "htop", version: "3.3.0", description: "Interactive process viewer" },
        { attr: "htop-vim", pname: "htop-vim", version: "3.3.0", description: "Interactive process viewer, with vim-style keybindings" },
      ],
    });
    const h = await e.run("pkg search htop --limit 1");
    expect(h.stdout).toMatch(/^ATTRIBUTE\s+VERSION\s+DESCRIPTION$/m);
    expect(h.stdout).toMatch(/^htop\s+3\.3\.0\s+Interactive process viewer$/m);
    expect(h.stdout).toContain("1 of 3 shown (--limit)");
    const none = await e.run("pkg search zzzz");
    expect(none.stdout).toBe('no package matches "zzzz"\n');
    const bad = await e.run(["pkg", "search", "--", "--help"]);
    expect(bad.exitCode).toBe(2);
  });
  it("channel system: nix-env -qaP --json --meta", async () => {
    const e = makeEnv();
    const r = await e.run("pkg search htop --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(e.calls()).toEqual(["nix-env -f \\<nixpkgs\\> -qaP --json --meta .\\*htop.\\*"]);
    expect(r.json.data.source).toBe("nix-env");
    expect(r.json.data.results.map((p: any) => p.attr)).toEqual(["htop", "htop-vim"]);
  });
});

describe("pkg install / remove / list", () => {
  // Each test has its own machine; the ones about removing and listing start with htop and btop installed.
  let e: Env;
  beforeEach(() => {
    e = makeEnv({ flake: true });
  });
  const file = (f: string) => join(e.root, NIXI, f);
  const installed = async () => {
    expect((await e.run("pkg install htop btop --yes --no-rebuild")).exitCode).toBe(0);
    e.calls();
  };

  it("install writes environment.systemPackages, checks each name, rebuilds once", async () => {
    const r = await e.run("pkg install htop btop --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ installed: ["htop", "btop"], alreadyInstalled: [], unchecked: [] });
    expect(e.calls()).toEqual([
      "nix --extra-experimental-features nix-command\\ flakes eval --raw nixpkgs#htop.name",
      "nix --extra-experimental-features nix-command\\ flakes eval --raw nixpkgs#btop.name",
      "nixos-rebuild switch",
    ]);
    const src = readFileSync(file("packages.nix"), "utf8");
    expect(src).toContain("pkgs.btop");
    await parseNix(file("packages.nix"));
    const v = await evalModule(file("packages.nix"));
    expect(Object.keys(v)).toEqual(["environment"]);
    expect(v.environment.systemPackages).toHaveLength(2);
    expect(checkOptionPaths(v)).toEqual([]);
    const again = await e.run("pkg install htop --yes --json");
    expect(again.json).toMatchObject({ changed: false, data: { installed: [], alreadyInstalled: ["htop"] } });
    expect(e.calls()).toEqual([]);
  });

  it("an unknown package is caught before the rebuild, with suggestions; nothing changes", async () => {
    const before = treeHash(e.root);
    const r = await e.run("pkg install htopp --yes --json");
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toBe('unknown package "htopp": nixpkgs has no attribute htopp');
    const r2 = await e.run("pkg install hto --yes");
    expect(r2.stderr).toContain("did you mean: htop, htop-vim");
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls().some((c) => c.startsWith("nixos-rebuild"))).toBe(false);
  });

  it("hostile attribute paths are refused (exit 2) before anything runs", async () => {
    const before = treeHash(e.root);
    for (const p of ["htop; rm -rf /", "${builtins.readFile /etc/shadow}", "a..b", "pkgs.htop\"", "with", "-A", "../x"]) {
      const r = await e.run(["pkg", "install", p, "--yes"]);
      expect(r.exitCode, p).toBe(2);
    }
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls()).toEqual([]);
  });

  it("--dry-run and non-TTY without --yes leave the tree unchanged", async () => {
    await installed();
    const before = treeHash(e.root);
    const d = await e.run("pkg install htop-vim --dry-run --json");
    expect(d.exitCode).toBe(0);
    expect(d.json.plan.files.map((f: any) => f.path)).toContain("/etc/nixos/nixi/packages.nix");
    expect((await e.run("pkg install htop-vim")).exitCode).toBe(3);
    expect((await e.run("pkg remove htop --dry-run")).exitCode).toBe(0);
    expect((await e.run("pkg remove htop")).exitCode).toBe(3);
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls().some((c) => c.startsWith("nixos-rebuild"))).toBe(false);
  });

  it("list: declared and evaluated", async () => {
    await installed();
    const j = await e.run("pkg list --json");
    expect(j.exitCode, j.stderr).toBe(0);
    expect(j.json.data.declared).toEqual(["btop", "htop"]);
    expect(j.json.data.systemPackages).toContain("htop-3.3.0");
    expect(j.json.data.evaluatedWith).toBe("nix eval");
    expect(e.calls()[0]).toContain('eval --json /etc/nixos#nixosConfigurations.\\"web1\\".config.environment.systemPackages --apply');
    const h = await e.run("pkg list --declared-only");
    expect(h.stdout).toMatch(/^btop\s+nixi \(packages\.nix\)$/m);
    expect(e.calls()).toEqual([]);
  });

  it("remove: only nixi's packages; the file goes when the list is empty", async () => {
    await installed();
    const before = treeHash(e.root);
    const bad = await e.run("pkg remove vim --yes --json");
    expect(bad.exitCode).toBe(1);
    expect(bad.json.error).toMatchObject({ code: "NOT_FOUND", message: "not installed by nixi: vim" });
    expect(treeHash(e.root)).toBe(before);
    const r = await e.run("pkg remove htop --yes --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ removed: ["htop"] });
    expect((await evalModule(file("packages.nix"))).environment.systemPackages).toHaveLength(1);
    expect((await e.run("pkg remove btop --yes")).exitCode).toBe(0);
    expect(existsSync(file("packages.nix"))).toBe(false);
    expect(readFileSync(file("state.toml"), "utf8")).not.toContain("[packages]");
  });
});

describe("pkg on a channel system", () => {
  it("install checks with nix-env -A; pkg list falls back when the configuration cannot be evaluated", async () => {
    const e = makeEnv();
    const r = await e.run("pkg install htop --yes --no-rebuild --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(e.calls()).toEqual(["nix-env -f \\<nixpkgs\\> -qaP --json -A htop"]);
    const bad = await e.run("pkg install nosuch --yes");
    expect(bad.exitCode).toBe(2);
    // the real nix-instantiate runs here: no <nixpkgs/nixos> on this machine, so only nixi's list is shown
    const l = await e.run("pkg list --json");
    expect(l.exitCode).toBe(0);
    expect(l.json.data).toEqual({ declared: ["htop"], systemPackages: null, evaluatedWith: null });
    expect(l.json.warnings[0]).toContain("environment.systemPackages could not be evaluated");
  });
});

describe("pkg install at a terminal", () => {
  it("asks (default No): no changes nothing, yes applies", async () => {
    const { scriptedPrompter } = await import("../helpers/run.js");
    const e = makeEnv({ flake: true });
    const before = treeHash(e.root);
    const no = scriptedPrompter({ confirm: [false] });
    const r1 = await e.run("pkg install htop", { tty: true, prompter: no });
    expect(no.asked).toHaveLength(1);
    expect(r1.exitCode).toBe(3);
    expect(treeHash(e.root)).toBe(before);
    const yes = scriptedPrompter({ confirm: [true] });
    const r2 = await e.run("pkg install htop", { tty: true, prompter: yes });
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(readFileSync(join(e.root, NIXI, "packages.nix"), "utf8")).toContain("pkgs.htop");
  });
});
