// system rebuild --mode (issue 11 item 4): overrides config.toml's mode for one run; build and
// dry-activate do not move nixi's .applied generation; a bad mode is exit 2 with nothing changed.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeEnv } from "../system/_env.js";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const env = () => {
  const e = makeEnv({ extraEnv: { NIXI_ROOT_EXEC: "1" } });
  roots.push(e.root, e.state);
  return e;
};

describe("rebuild progress", () => {
  it("one plain line per phase on stderr, from nixos-rebuild's own output (stdout and stderr)", async () => {
    const e = env();
    const bin = join(e.state, "bin");
    mkdirSync(bin, { recursive: true });
    // what nixos-rebuild switch prints on a real run (nix 2.18 wording), shortened
    writeFileSync(
      join(bin, "nixos-rebuild"),
      `#!/bin/sh\n[ "$1" = switch ] || exit 99\necho "building the system configuration..." >&2\necho "these 12 derivations will be built:" >&2\necho "  /nix/store/aaa-etc.drv" >&2\necho "these 3 paths will be fetched (1.20 MiB download, 5.00 MiB unpacked):" >&2\necho "activating the configuration..."\necho "setting up /etc..."\n`,
      { mode: 0o755 },
    );
    const r = await e.run("system rebuild --yes", { path: [bin] });
    expect(r.exitCode, r.stderr).toBe(0);
    const phases = r.stderr.split("\n").filter((l) => l.startsWith("rebuild: "));
    // stdout and stderr are two pipes: the order between them is not kept, within each it is
    expect(phases.filter((l) => l !== "rebuild: activating")).toEqual(["rebuild: evaluating and building the system", "rebuild: building 12 derivations", "rebuild: fetching 3 paths"]);
    expect(phases.filter((l) => l === "rebuild: activating")).toHaveLength(1);
    // -q drops them
    expect((await e.run("system rebuild --yes -q", { path: [bin] })).stderr).not.toMatch(/rebuild: /);
  });
});

describe("system rebuild --diff", () => {
  it("builds first (nothing activated) and puts the closure diff in the plan; the dry run stops there", async () => {
    const e = env();
    const r = await e.run("system rebuild --diff --dry-run --json");
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const s: string[] = r.json.plan.summary;
    expect(s).toContain("closure diff: 1 added, 1 removed, 4 upgraded or changed");
    expect(s).toContain("  + hello 2.12.1 (+220.4 KiB)");
    expect(s).toContain("  - nano 7.2 (-3000.5 KiB)");
    expect(s).toContain("  ~ acl 2.3.1 → 2.3.2 (+10.2 KiB)");
    expect(s).toContain("  ~ openssl 3.0.13, 3.0.14 → 3.0.14 (-4500.1 KiB)");
    expect(s).toContain("  ~ systemd (+12.0 KiB)");
    const calls = e.calls();
    expect(calls.filter((l) => l.startsWith("nixos-rebuild"))).toEqual(["nixos-rebuild build"]);
    expect(calls.some((l) => /^nix .*store diff-closures \/run\/current-system .*\/etc\/nixos\/nixi\/\.diff\/result$/.test(l))).toBe(true);
  });

  it("a build that fails stops before the plan: exit 6, nothing switched", async () => {
    const e = makeEnv({ extraEnv: { NIXI_ROOT_EXEC: "1", NIXI_FAKE_REBUILD_FAIL: "1" } });
    roots.push(e.root, e.state);
    const r = await e.run("system rebuild --diff --yes --json");
    expect(r.exitCode).toBe(6);
    expect(r.json.error.message).toMatch(/nixos-rebuild build failed/);
    expect(e.calls().filter((l) => l.startsWith("nixos-rebuild"))).toEqual(["nixos-rebuild build"]);
  });
});

describe("system rebuild --mode", () => {
  for (const mode of ["switch", "test", "boot", "build", "dry-activate"]) {
    it(`--mode ${mode} runs nixos-rebuild ${mode} once and says so in the plan`, async () => {
      const e = env();
      const r = await e.run(`system rebuild --mode ${mode} --yes --json`);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.json.data.mode).toBe(mode);
      expect(r.json.plan.commands).toContain(`nixos-rebuild ${mode}`);
      expect(e.calls().filter((l) => l.startsWith("nixos-rebuild"))).toEqual([`nixos-rebuild ${mode}`]);
      const applied = join(e.root, "etc/nixos/nixi/.applied/state.toml");
      expect(existsSync(applied)).toBe(mode !== "build" && mode !== "dry-activate");
    });
  }

  it("a mode nixos-rebuild does not have is a usage error, nothing runs", async () => {
    const e = env();
    const r = await e.run("system rebuild --mode reboot --yes --json");
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/reboot.*(switch, test, boot, build, dry-activate|invalid)/);
    expect(e.calls()).toEqual([]);
    expect(existsSync(join(e.root, "etc/nixos/nixi"))).toBe(false);
  });

  it("the dry run shows the chosen mode without running it", async () => {
    const e = env();
    const r = await e.run("system rebuild --mode boot --dry-run --json");
    expect(r.exitCode).toBe(0);
    expect(r.json.plan.commands).toEqual(["nixos-rebuild boot"]);
    expect(e.calls()).toEqual([]);
    expect(readFileSync(join(e.root, "etc/nixos/configuration.nix"), "utf8")).toContain("./nixi");
  });
});
