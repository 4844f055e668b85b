// gpu nvidia|amd enable / configure / disable through the CLI. Every generated gpu.nix is parsed and
// evaluated by nix-instantiate and its option paths checked against ../shared/nixos.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { run, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots, tempDir, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { checkNixFolder, evalModule, evalDefaultNix, parseNix } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";

afterAll(cleanupRoots);
const FAKES = join(REPO, "test/fakes");
const stage = (root: string, cmd: string) => run(`${cmd} --yes --no-rebuild --json --root ${root}`);

/** The config argument a real system gives: config.boot.kernelPackages.nvidiaPackages.<x> is a package. */
const KERNEL_CONFIG = `{ boot.kernelPackages.nvidiaPackages = builtins.listToAttrs (map (n: { name = n; value = { outPath = "<nvidia:\${n}>"; type = "derivation"; }; }) [ "stable" "production" "latest" "beta" "legacy_535" "legacy_470" "legacy_390" "dc" ]); }`;

/** Evaluate gpu.nix, check every option path (also merged with the rest of the folder), return it. */
async function gpuConfig(root: string): Promise<any> {
  const dir = join(root, NIXI_DIR);
  const file = join(dir, "gpu.nix");
  await parseNix(file);
  const text = readFileSync(file, "utf8");
  expect(text).not.toMatch(/hardware\.opengl|opengl\s*=|amdvlk|initrd\s*=\s*\{\s*enable/);
  const value = await evalModule(file, { config: KERNEL_CONFIG });
  // The inline nixpkgs.config module (unfree licence) is checked by the real module system in unfree.test.ts.
  expect(value.imports ?? []).toEqual([]);
  delete value.imports;
  expect(checkOptionPaths(value)).toEqual([]);
  const merged = await evalDefaultNix(dir, { config: KERNEL_CONFIG });
  expect(checkOptionPaths(merged)).toEqual([]);
  // no old or renamed names anywhere
  const renames = JSON.parse(readFileSync(join(REPO, "../shared/nixos/nixos-option-renames.json"), "utf8"));
  const paths: string[] = [];
  const walk = (v: any, p: string) => {
    if (v && typeof v === "object" && !Array.isArray(v) && !("outPath" in v)) for (const k of Object.keys(v)) walk(v[k], p ? `${p}.${k}` : k);
    else paths.push(p);
  };
  walk(value, "");
  for (const p of paths) for (const old of Object.keys(renames)) expect(p === old || p.startsWith(old + "."), `${p} is listed as renamed/removed`).toBe(false);
  return value;
}

describe("gpu nvidia enable / configure / disable", () => {
  it("enable writes an explicit open module, videoDrivers, graphics and modesetting", async () => {
    const root = makeRoot();
    const r = await stage(root, "gpu nvidia enable");
    expect(r.exitCode).toBe(0);
    const env = expectEnvelope(r.json);
    expect(env).toMatchObject({ ok: true, changed: true });
    expect(env.data).toMatchObject({ vendor: "nvidia", enabled: true, wasEnabled: false, settings: { open: true, modesetting: true } });
    expect(env.warnings.join(" ")).toContain("reboot");
    const cfg = await gpuConfig(root);
    expect(cfg).toEqual({
      services: { xserver: { videoDrivers: ["nvidia"] } },
      hardware: {
        graphics: { enable: true },
        nvidia: { open: true, modesetting: { enable: true }, powerManagement: { enable: false }, nvidiaSettings: false },
      },
    });
    // the generated folder as a whole evaluates too
    const { files } = await checkNixFolder(join(root, NIXI_DIR));
    expect(Object.keys(files)).toContain("gpu.nix");
    expect(read(root, `${NIXI_DIR}/default.nix`)).toContain("gpu.nix");
    expect(read(root, `${NIXI_DIR}/state.toml`)).toContain("[gpu.nvidia]");
  });

  it("--proprietary with a legacy driver, persistenced, container toolkit, 32-bit", async () => {
    const root = makeRoot();
    const r = await stage(root, "gpu nvidia enable --proprietary --driver legacy_470 --accept-nvidia-license --persistenced on --container-toolkit on --lib32 on --power-management on");
    expect(r.exitCode, r.stderr).toBe(0);
    const cfg = await gpuConfig(root);
    expect(cfg.hardware.nvidia).toEqual({
      open: false,
      modesetting: { enable: true },
      powerManagement: { enable: true },
      nvidiaSettings: false,
      nvidiaPersistenced: true,
      package: "<nvidia:legacy_470>", // a derivation evaluates to its outPath in JSON
    });
    expect(cfg.hardware["nvidia-container-toolkit"]).toEqual({ enable: true });
    expect(cfg.hardware.graphics).toEqual({ enable: true, enable32Bit: true });
    expect(read(root, `${NIXI_DIR}/gpu.nix`)).toContain("package = config.boot.kernelPackages.nvidiaPackages.legacy_470;");
  });

  it("configure changes only the settings given; enable again without flags changes nothing", async () => {
    const root = makeRoot();
    await stage(root, "gpu nvidia enable --container-toolkit on");
    const r = await stage(root, "gpu nvidia configure --driver beta --modesetting off --settings-tool on");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).data.changes).toEqual(["driver branch: default -> beta", "modesetting: on -> off", "nvidia-settings: off -> on"]);
    const cfg = await gpuConfig(root);
    expect(cfg.hardware.nvidia).toMatchObject({ open: true, modesetting: { enable: false }, nvidiaSettings: true, package: "<nvidia:beta>" });
    expect(cfg.hardware["nvidia-container-toolkit"]).toEqual({ enable: true });

    const before = treeHash(root);
    for (const cmd of ["gpu nvidia enable", "gpu nvidia configure --driver beta", "gpu nvidia enable --open"]) {
      const again = await run(`${cmd} --yes --json --root ${root}`); // no fake nixos-rebuild: a rebuild would be exit 6
      expect(again.exitCode, cmd).toBe(0);
      expect(expectEnvelope(again.json)).toMatchObject({ changed: false });
    }
    expect(treeHash(root)).toBe(before);

    const sw = await stage(root, "gpu nvidia configure --proprietary --container-toolkit off");
    expect(sw.exitCode).toBe(0);
    expect(sw.json.warnings.join(" ")).toContain("next reboot");
    const cfg2 = await gpuConfig(root);
    expect(cfg2.hardware.nvidia.open).toBe(false);
    expect(cfg2.hardware["nvidia-container-toolkit"]).toBeUndefined();
  });

  it("disable removes the table and gpu.nix; disabling again changes nothing", async () => {
    const root = makeRoot();
    await stage(root, "fw open 8080");
    await stage(root, "gpu nvidia enable");
    const r = await stage(root, "gpu nvidia disable");
    expect(r.exitCode).toBe(0);
    expect(expectEnvelope(r.json).data).toMatchObject({ vendor: "nvidia", disabled: true, previous: { open: true } });
    expect(existsSync(join(root, NIXI_DIR, "gpu.nix"))).toBe(false);
    expect(read(root, `${NIXI_DIR}/default.nix`)).not.toContain("gpu.nix");
    expect(read(root, `${NIXI_DIR}/state.toml`)).not.toContain("gpu");
    expect(read(root, `${NIXI_DIR}/state.toml`)).toContain("[firewall]");
    const before = treeHash(root);
    const again = await run(`gpu nvidia disable --yes --json --root ${root}`);
    expect(again.exitCode).toBe(0);
    expect(expectEnvelope(again.json)).toMatchObject({ changed: false, data: { disabled: false } });
    expect(again.json.warnings[0]).toContain("not enabled by nixi");
    expect(treeHash(root)).toBe(before);
  });

  it("a real run rebuilds once with nixos-rebuild switch (fake on PATH)", async () => {
    const root = makeRoot();
    const log = join(tempDir("nixi-gpu-rebuild-"), "calls.log");
    const r = await run(`gpu nvidia enable --yes --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_LOG: log } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("enable the NVIDIA driver (open kernel module");
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls.filter((c) => c.startsWith("nixos-rebuild switch"))).toHaveLength(1);
  });
});

describe("gpu amd enable / configure / disable", () => {
  it("enable, OpenCL, initrd via boot.initrd.kernelModules (never the renamed hardware.amdgpu.initrd.enable)", async () => {
    const root = makeRoot();
    expect((await stage(root, "gpu amd enable")).exitCode).toBe(0);
    expect(await gpuConfig(root)).toEqual({ hardware: { graphics: { enable: true } } });
    const r = await stage(root, "gpu amd configure --opencl on --initrd on --lib32 on");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).data.settings).toEqual({ opencl: true, initrd: true, graphics32bit: true });
    expect(await gpuConfig(root)).toEqual({
      boot: { initrd: { kernelModules: ["amdgpu"] } },
      hardware: { graphics: { enable: true, enable32Bit: true }, amdgpu: { opencl: { enable: true } } },
    });
    expect(read(root, `${NIXI_DIR}/gpu.nix`)).not.toContain("initrd.enable");
  });

  it("NVIDIA and AMD together in one gpu.nix; disabling one keeps the other", async () => {
    const root = makeRoot();
    await stage(root, "gpu amd enable --opencl on");
    await stage(root, "gpu nvidia enable --lib32 on");
    const both = await gpuConfig(root);
    expect(both.hardware).toMatchObject({ amdgpu: { opencl: { enable: true } }, nvidia: { open: true }, graphics: { enable: true, enable32Bit: true } });
    expect((await stage(root, "gpu amd disable")).exitCode).toBe(0);
    const nv = await gpuConfig(root);
    expect(nv.hardware.amdgpu).toBeUndefined();
    expect(nv.hardware.nvidia.open).toBe(true);
    expect((await stage(root, "gpu nvidia disable")).exitCode).toBe(0);
    expect(existsSync(join(root, NIXI_DIR, "gpu.nix"))).toBe(false);
  });
});

describe("bad input, --dry-run and confirmation leave the tree unchanged", () => {
  const BAD: Array<[string, string, string]> = [
    ["gpu nvidia enable --driver 999", "999", "unknown driver"],
    ["gpu nvidia enable --driver stable;reboot", "stable;reboot", "driver with shell"],
    ["gpu nvidia configure --power-management yes", "yes", "on|off value"],
    ["gpu nvidia enable --open --proprietary", "--proprietary", "both module flags"],
    ["gpu nvidia configure --driver legacy_390", "legacy_390", "open module with a legacy driver"],
    ["gpu nvidia configure --proprietary --driver legacy_390", "--accept-nvidia-license", "legacy driver without accepting NVIDIA's licence"],
    ["gpu nvidia configure --accept-nvidia-license", "legacy_470 and legacy_390", "licence flag for a driver that needs none"],
    ["gpu nvidia configure --driver dc --settings-tool on", "--driver dc", "data-centre driver with the settings tool"],
    ["gpu amd configure --opencl maybe", "maybe", "AMD on|off value"],
    ["gpu amd enable --frobnicate on", "--frobnicate", "unknown flag"],
    ["gpu nvidia configure", "at least one setting", "configure without flags"],
    ["gpu nvidia configure --bogus", "--bogus", "unknown flag"],
  ];
  for (const [cmd, named, what] of BAD) {
    it(`${what}: exit 2 naming ${JSON.stringify(named)}`, async () => {
      const root = makeRoot();
      await stage(root, "gpu nvidia enable");
      await stage(root, "gpu amd enable");
      const before = treeHash(root);
      const h = await run(`${cmd} --yes --root ${root}`);
      expect(h.exitCode, h.stderr).toBe(2);
      expect(h.stderr).toContain(named);
      const j = await run(`${cmd} --yes --json --root ${root}`);
      expect(j.exitCode).toBe(2);
      expect(expectEnvelope(j.json).ok).toBe(false);
      expect(j.json.command).toBe(cmd.split(" ").slice(0, 3).join(" "));
      expect(treeHash(root)).toBe(before);
    });
  }

  it("configure before enable is exit 2 and says to enable first", async () => {
    const root = makeRoot();
    for (const v of ["nvidia", "amd"]) {
      const r = await run(`gpu ${v} configure --lib32 on --yes --root ${root}`);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`gpu ${v} enable`);
    }
    expect(existsSync(join(root, NIXI_DIR, "gpu.nix"))).toBe(false);
  });

  it("a hand-broken [gpu] table is refused (exit 2), not rendered", async () => {
    const root = makeRoot({ [`${NIXI_DIR}/state.toml`]: 'version = 1\n\n[gpu.nvidia]\nopen = "yes"\n' });
    const before = treeHash(root);
    const r = await run(`gpu nvidia configure --lib32 on --yes --root ${root}`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("nvidia.open");
    expect(treeHash(root)).toBe(before);
  });

  it("--dry-run shows the plan and writes nothing; non-TTY without --yes is exit 3", async () => {
    const root = makeRoot();
    await stage(root, "fw open 8080");
    const before = treeHash(root);
    const d = await run(`gpu nvidia enable --container-toolkit on --dry-run --json --root ${root}`);
    expect(d.exitCode).toBe(0);
    expect(expectEnvelope(d.json)).toMatchObject({ ok: true, dryRun: true });
    expect(JSON.stringify(d.json.plan)).toContain("gpu.nix");
    const dh = await run(`gpu amd enable --dry-run --root ${root}`);
    expect(dh.exitCode).toBe(0);
    expect(dh.stdout).toContain("enable AMD GPU support");
    const n = await run(`gpu nvidia enable --root ${root}`);
    expect(n.exitCode).toBe(3);
    const nj = await run(`gpu amd enable --json --root ${root}`);
    expect(nj.exitCode).toBe(3);
    expect(expectEnvelope(nj.json).error.code).toBe("CONFIRMATION_REQUIRED");
    expect(treeHash(root)).toBe(before);
  });
});
