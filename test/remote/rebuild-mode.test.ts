// system rebuild --mode (issue 11 item 4): overrides config.toml's mode for one run; build and
// dry-activate do not move nixi's .applied generation; a bad mode is exit 2 with nothing changed.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, rmSync } from "node:fs";
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
