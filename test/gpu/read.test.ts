// gpu nvidia|amd status / utilization through the CLI. No GPU here: a fake nvidia-smi (test/fakes)
// and fake /proc and /sys trees under --root, in the shapes the kernel and nvidia-smi produce.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { run, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots, tempDir, treeHash } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { isReadOnlyArgv } from "../../src/exec/monitored.js";
import { parseSmiCsv, parseProcVersion } from "../../src/gpu/nvidia.js";

afterAll(cleanupRoots);
const FAKES = join(REPO, "test/fakes");
const MIB = 1024 * 1024;

const NVIDIA_MODULES = `nvidia_uvm 4911104 0 - Live 0x0000000000000000
nvidia_drm 122880 4 - Live 0x0000000000000000
nvidia_modeset 1568768 3 nvidia_drm, Live 0x0000000000000000
nvidia 62423040 75 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (PO)
video 73728 1 nvidia_modeset, Live 0x0000000000000000
`;
const NVIDIA_VERSION = `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release Build  (nixbld@localhost)  Thu Aug 15 00:00:00 UTC 2024
GCC version:  gcc version 13.3.0 (GCC) 
`;

describe("gpu nvidia status / utilization", () => {
  it("status: module loaded (open), driver version, GPUs from nvidia-smi, declared settings", async () => {
    const root = makeRoot({ "/proc/modules": NVIDIA_MODULES, "/proc/driver/nvidia/version": NVIDIA_VERSION });
    await run(`gpu nvidia enable --container-toolkit on --yes --no-rebuild --root ${root}`);
    const log = join(tempDir("nixi-gpu-smi-"), "calls.log");
    const r = await run(`gpu nvidia status --json --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_LOG: log } });
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d).toMatchObject({
      driverLoaded: true,
      modules: ["nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia"],
      kernelModule: "open",
      driverVersion: "560.35.03",
      smi: { available: true, error: null },
      declared: { open: true, containerToolkit: true },
    });
    expect(d.gpus).toEqual([
      { index: 0, name: "NVIDIA GeForce RTX 4090", uuid: "GPU-5f0e3b1a-8c2d-4e6f-9a7b-1c2d3e4f5a6b", pciBusId: "00000000:01:00.0", driverVersion: "560.35.03", memoryTotalBytes: 24564 * MIB, persistenceMode: false },
      { index: 1, name: "Tesla T4", uuid: "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", pciBusId: "00000000:81:00.0", driverVersion: "560.35.03", memoryTotalBytes: 15360 * MIB, persistenceMode: true },
    ]);
    // the call is one a monitored node allows
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls).toHaveLength(1);
    const argv = calls[0].split(" ").map((w) => w.replace(/\\(.)/g, "$1")); // undo printf %q
    expect(argv[2]).toBe("--format=csv,noheader,nounits");
    expect(isReadOnlyArgv(argv)).toBe(true);

    const h = await run(`gpu nvidia status --root ${root}`, { path: [FAKES] });
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toMatch(/driver loaded:\s+yes/);
    expect(h.stdout).toMatch(/kernel module:\s+open/);
    expect(h.stdout).toContain("Tesla T4");
    expect(h.stdout).toContain("24564 MiB");
  });

  it("status when the driver is not loaded: exit 0, nvidia-smi's own message and exit code 9", async () => {
    const root = makeRoot({ "/proc/modules": "video 73728 0 - Live 0x0000000000000000\n" });
    const r = await run(`gpu nvidia status --json --root ${root}`, { path: [FAKES], env: { NVIDIA_SMI_FAKE: "nodriver" } });
    expect(r.exitCode).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d).toMatchObject({ driverLoaded: false, modules: [], kernelModule: null, driverVersion: null, declared: null, gpus: [] });
    expect(d.smi).toEqual({ available: true, exitCode: 9, error: expect.stringContaining("couldn't communicate with the NVIDIA driver") });
    const h = await run(`gpu nvidia status --root ${root}`, { path: [FAKES], env: { NVIDIA_SMI_FAKE: "nodriver" } });
    expect(h.stdout).toMatch(/driver loaded:\s+no/);
    expect(h.stdout).toContain("couldn't communicate");
  });

  it("status without nvidia-smi installed says so", async () => {
    const root = makeRoot();
    const empty = join(root, "empty-bin");
    mkdirSync(empty);
    const r = await run(`gpu nvidia status --json --root ${root}`, { env: { PATH: `${empty}:${dirname(process.execPath)}` } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).data.smi).toMatchObject({ available: false, error: expect.stringContaining("not installed") });
  });

  it("utilization: typed numbers per GPU, [N/A] becomes null", async () => {
    const root = makeRoot();
    const r = await run(`gpu nvidia utilization --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).data.gpus).toEqual([
      { index: 0, name: "NVIDIA GeForce RTX 4090", utilizationPercent: 37, memoryUtilizationPercent: 12, memoryUsedBytes: 1234 * MIB, memoryTotalBytes: 24564 * MIB, temperatureCelsius: 54, powerDrawWatts: 112.45 },
      { index: 1, name: "Tesla T4", utilizationPercent: 0, memoryUtilizationPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 15360 * MIB, temperatureCelsius: 31, powerDrawWatts: null },
    ]);
    const h = await run(`gpu nvidia utilization --root ${root}`, { path: [FAKES], env: { NVIDIA_SMI_FAKE_GPUS: "1" } });
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toMatch(/0\s+NVIDIA GeForce RTX 4090\s+37%\s+12%\s+1234 \/ 24564 MiB\s+54 °C\s+112\.5 W/);
    expect(h.stdout).not.toContain("Tesla");
  });

  it("utilization without a driver is exit 1 with nvidia-smi's reason (human and --json)", async () => {
    const root = makeRoot();
    const before = treeHash(root);
    const h = await run(`gpu nvidia utilization --root ${root}`, { path: [FAKES], env: { NVIDIA_SMI_FAKE: "nodriver" } });
    expect(h.exitCode).toBe(1);
    expect(h.stderr).toContain("couldn't communicate with the NVIDIA driver");
    const j = await run(`gpu nvidia utilization --json --root ${root}`, { path: [FAKES], env: { NVIDIA_SMI_FAKE: "nogpu" } });
    expect(j.exitCode).toBe(1);
    expect(expectEnvelope(j.json)).toMatchObject({ ok: false });
    expect(j.json.error.message).toContain("No devices were found");
    expect(treeHash(root)).toBe(before);
  });

  it("the fake nvidia-smi fails loudly on what it does not know", async () => {
    const { spawnSync } = await import("node:child_process");
    const smi = join(FAKES, "nvidia-smi");
    for (const args of [["--bogus"], ["--query-gpu=clocks.sm", "--format=csv"], ["--query-gpu=name", "--format=json"], ["--query-gpu=name"]]) {
      const p = spawnSync(smi, args, { encoding: "utf8" });
      expect(p.status, args.join(" ")).toBe(99);
      expect(p.stderr).toContain("fake nvidia-smi");
    }
    const h = spawnSync(smi, ["--query-gpu=index,memory.used,power.draw", "--format=csv"], { encoding: "utf8" });
    expect(h.stdout).toBe("index, memory.used [MiB], power.draw [W]\n0, 1234 MiB, 112.45 W\n1, 0 MiB, [N/A]\n");
  });

  it("parsing: names with ', ' stay whole; open vs proprietary module lines", () => {
    expect(parseSmiCsv("0, Quadro RTX 8000, Rev 2, 48601\n", ["index", "name", "memory.total"])).toEqual([{ index: "0", name: "Quadro RTX 8000, Rev 2", "memory.total": "48601" }]);
    expect(parseSmiCsv("0, [Not Supported], [N/A]\n", ["index", "power.draw", "temperature.gpu"])).toEqual([{ index: "0", "power.draw": null, "temperature.gpu": null }]);
    expect(parseProcVersion("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n")).toMatchObject({ version: "550.54.14", kernelModule: "proprietary" });
    expect(parseProcVersion(NVIDIA_VERSION)).toMatchObject({ version: "560.35.03", kernelModule: "open" });
  });
});

/** A sysfs tree like a real machine's: class links pointing into /sys/devices. */
function amdRoot(): string {
  const root = makeRoot({
    "/proc/modules": "amdgpu 12345678 3 - Live 0x0000000000000000\ni915 4096000 0 - Live 0x0000000000000000\n",
    "/sys/module/amdgpu/initstate": "live\n",
  });
  const put = (p: string, content: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  };
  const card = (name: string, pciPath: string, files: Record<string, string>) => {
    const dev = `/sys/devices/pci0000:00/${pciPath}`;
    for (const [f, c] of Object.entries(files)) put(`${dev}/${f}`, c);
    mkdirSync(join(root, dev, "drm", name), { recursive: true });
    symlinkSync("../..", join(root, dev, "drm", name, "device"));
    mkdirSync(join(root, "/sys/class/drm"), { recursive: true });
    symlinkSync(`../../devices/pci0000:00/${pciPath}/drm/${name}`, join(root, "/sys/class/drm", name));
  };
  card("card0", "0000:00:02.0", {
    vendor: "0x8086\n",
    device: "0xa780\n",
    uevent: "DRIVER=i915\nPCI_CLASS=30000\nPCI_ID=8086:A780\nPCI_SLOT_NAME=0000:00:02.0\n",
  });
  card("card1", "0000:00:01.0/0000:03:00.0", {
    vendor: "0x1002\n",
    device: "0x744c\n",
    uevent: "DRIVER=amdgpu\nPCI_CLASS=30000\nPCI_ID=1002:744C\nPCI_SUBSYS_ID=1DA2:E471\nPCI_SLOT_NAME=0000:03:00.0\nMODALIAS=pci:v00001002d0000744Csv00001DA2sd0000E471bc03sc00i00\n",
    gpu_busy_percent: "23\n",
    mem_busy_percent: "5\n",
    mem_info_vram_total: "25753026560\n",
    mem_info_vram_used: "1181442048\n",
    "hwmon/hwmon4/name": "amdgpu\n",
    "hwmon/hwmon4/temp1_input": "45000\n",
    "hwmon/hwmon4/power1_average": "35000000\n",
  });
  card("card2", "0000:00:1c.0/0000:05:00.0", {
    vendor: "0x1002\n",
    device: "0x74a1\n",
    uevent: "DRIVER=amdgpu\nPCI_ID=1002:74A1\nPCI_SLOT_NAME=0000:05:00.0\n",
    product_name: "AMD Instinct MI300X\n",
    mem_info_vram_total: "206141652992\n",
    mem_info_vram_used: "0\n",
    "hwmon/hwmon5/name": "amdgpu\n",
    "hwmon/hwmon5/power1_input": "140000000\n",
  });
  // connectors and render nodes live next to the cards and are not GPUs
  mkdirSync(join(root, "/sys/class/drm/card1-DP-1"), { recursive: true });
  mkdirSync(join(root, "/sys/class/drm/renderD128"), { recursive: true });
  put("/sys/class/drm/version", "drm 1.1.0 20060810\n");
  return root;
}

describe("gpu amd status / utilization", () => {
  it("status: AMD cards only (the Intel iGPU, connectors and render nodes are skipped), declared settings", async () => {
    const root = amdRoot();
    await run(`gpu amd enable --opencl on --yes --no-rebuild --root ${root}`);
    const r = await run(`gpu amd status --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d.driverLoaded).toBe(true);
    expect(d.declared).toEqual({ opencl: true, initrd: false, graphics32bit: false });
    expect(d.gpus).toEqual([
      { card: "card1", name: null, pciSlot: "0000:03:00.0", pciId: "1002:744C", deviceId: "0x744c", driver: "amdgpu", memoryTotalBytes: 25753026560 },
      { card: "card2", name: "AMD Instinct MI300X", pciSlot: "0000:05:00.0", pciId: "1002:74A1", deviceId: "0x74a1", driver: "amdgpu", memoryTotalBytes: 206141652992 },
    ]);
    const h = await run(`gpu amd status --root ${root}`);
    expect(h.stdout).toMatch(/amdgpu loaded:\s+yes/);
    expect(h.stdout).toContain("AMD Instinct MI300X");
    expect(h.stdout).not.toContain("0000:00:02.0");
  });

  it("utilization: busy %, VRAM bytes, °C from millidegrees, W from microwatts; missing values are null", async () => {
    const root = amdRoot();
    const r = await run(`gpu amd utilization --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).data.gpus).toEqual([
      { card: "card1", name: null, pciSlot: "0000:03:00.0", utilizationPercent: 23, memoryUtilizationPercent: 5, memoryUsedBytes: 1181442048, memoryTotalBytes: 25753026560, temperatureCelsius: 45, powerWatts: 35 },
      { card: "card2", name: "AMD Instinct MI300X", pciSlot: "0000:05:00.0", utilizationPercent: null, memoryUtilizationPercent: null, memoryUsedBytes: 0, memoryTotalBytes: 206141652992, temperatureCelsius: null, powerWatts: 140 },
    ]);
    const h = await run(`gpu amd utilization --root ${root}`);
    expect(h.stdout).toMatch(/card1\s+-\s+23%\s+1127 \/ 24560 MiB\s+45 °C\s+35\.0 W/);
  });

  it("no AMD GPU: status reports none (exit 0), utilization is exit 1", async () => {
    const root = makeRoot();
    const s = await run(`gpu amd status --json --root ${root}`);
    expect(s.exitCode).toBe(0);
    expect(expectEnvelope(s.json).data).toMatchObject({ driverLoaded: false, gpus: [] });
    const u = await run(`gpu amd utilization --root ${root}`);
    expect(u.exitCode).toBe(1);
    expect(u.stderr).toContain("no AMD GPU found");
    const uj = await run(`gpu amd utilization --json --root ${root}`);
    expect(expectEnvelope(uj.json).error.code).toBe("NOT_FOUND");
  });
});

describe("gpu help", () => {
  it("lists both vendors and their five commands with risk classes", async () => {
    const g = await run("help gpu");
    expect(g.exitCode).toBe(0);
    expect(g.stdout).toMatch(/nvidia/);
    expect(g.stdout).toMatch(/amd/);
    for (const v of ["nvidia", "amd"]) {
      const r = await run(`gpu ${v} --help`);
      expect(r.exitCode).toBe(0);
      for (const c of ["status", "utilization", "enable", "disable", "configure"]) expect(r.stdout).toContain(c);
      expect(r.stdout).toContain("[read]");
      expect(r.stdout).toContain("[change]");
    }
  });
});
