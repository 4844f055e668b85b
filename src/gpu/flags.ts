// Flags shared by `gpu <vendor> enable` and `gpu <vendor> configure`, and how they edit the settings.
import type { FlagSpec } from "../core/command.js";
import { NixiError } from "../core/errors.js";
import { NEEDS_LICENSE, NVIDIA_DRIVERS, NO_OPEN_MODULE, type AmdSettings, type NvidiaSettings } from "./state.js";

const onOff = (description: string): FlagSpec => ({ type: "string", description, choices: ["on", "off"], placeholder: "on|off" });

export const NVIDIA_FLAGS: Record<string, FlagSpec> = {
  open: { type: "boolean", description: "use NVIDIA's open kernel module (Turing / RTX 20 / T4 and newer; the default)" },
  proprietary: { type: "boolean", description: "use the proprietary kernel module (needed for Maxwell, Pascal and Volta cards)" },
  driver: { type: "string", description: "driver branch: config.boot.kernelPackages.nvidiaPackages.BRANCH (default stable)", choices: NVIDIA_DRIVERS, placeholder: "branch" },
  modesetting: onOff("kernel mode setting, nvidia-drm.modeset=1 (default on; needed for Wayland and PRIME)"),
  "power-management": onOff("save video memory on suspend (hardware.nvidia.powerManagement.enable)"),
  persistenced: onOff("run nvidia-persistenced to keep the driver loaded on headless machines"),
  "container-toolkit": onOff("NVIDIA Container Toolkit (CDI) so podman/docker containers can use the GPU"),
  "settings-tool": onOff("install the nvidia-settings GUI (default off: servers rarely want it)"),
  lib32: onOff("32-bit graphics libraries (hardware.graphics.enable32Bit), e.g. for Steam or Wine"),
  "accept-nvidia-license": { type: "boolean", description: "accept NVIDIA's licence, which the legacy_470 and legacy_390 drivers need (nixpkgs.config.nvidia.acceptLicense)" },
};

export const AMD_FLAGS: Record<string, FlagSpec> = {
  opencl: onOff("OpenCL through the ROCm runtime (hardware.amdgpu.opencl.enable)"),
  initrd: onOff("load amdgpu in the initrd for early mode setting (boot.initrd.kernelModules)"),
  lib32: onOff("32-bit graphics libraries (hardware.graphics.enable32Bit), e.g. for Steam or Wine"),
};

export interface NvidiaInput {
  open?: boolean;
  proprietary?: boolean;
  driver?: string;
  modesetting?: "on" | "off";
  powerManagement?: "on" | "off";
  persistenced?: "on" | "off";
  containerToolkit?: "on" | "off";
  settingsTool?: "on" | "off";
  lib32?: "on" | "off";
  acceptNvidiaLicense?: boolean;
}
export interface AmdInput {
  opencl?: "on" | "off";
  initrd?: "on" | "off";
  lib32?: "on" | "off";
}

const onOffValue = (v: "on" | "off" | undefined) => (v === undefined ? undefined : v === "on");

/** Were any settings flags given? */
export const nvidiaFlagsGiven = (i: NvidiaInput) =>
  !!(i.open || i.proprietary || i.acceptNvidiaLicense || i.driver !== undefined || [i.modesetting, i.powerManagement, i.persistenced, i.containerToolkit, i.settingsTool, i.lib32].some((v) => v !== undefined));
export const amdFlagsGiven = (i: AmdInput) => [i.opencl, i.initrd, i.lib32].some((v) => v !== undefined);

/** Apply flags to settings (returns a new object); bad combinations are exit 2 naming the values. */
export function applyNvidiaFlags(base: NvidiaSettings, i: NvidiaInput): NvidiaSettings {
  if (i.open && i.proprietary) throw new NixiError("INVALID_ARGUMENT", "--open and --proprietary exclude each other: give one");
  const s: NvidiaSettings = { ...base };
  if (i.open) s.open = true;
  if (i.proprietary) s.open = false;
  if (i.driver !== undefined) s.driver = i.driver as NvidiaSettings["driver"];
  const set = <K extends keyof NvidiaSettings>(k: K, v: boolean | undefined) => {
    if (v !== undefined) (s as any)[k] = v;
  };
  set("modesetting", onOffValue(i.modesetting));
  set("powerManagement", onOffValue(i.powerManagement));
  set("persistenced", onOffValue(i.persistenced));
  set("containerToolkit", onOffValue(i.containerToolkit));
  set("settingsTool", onOffValue(i.settingsTool));
  set("graphics32bit", onOffValue(i.lib32));
  if (s.open && s.driver && NO_OPEN_MODULE.includes(s.driver)) {
    const asked = i.driver !== undefined ? `--driver ${s.driver}` : `driver ${s.driver}`;
    throw new NixiError("INVALID_ARGUMENT", `${asked} has no open kernel module (it starts with the 515 branch)`, "add --proprietary, or pick a newer --driver");
  }
  // The licence is accepted only for a branch that needs it, and only when asked for.
  const needsLicense = !!s.driver && NEEDS_LICENSE.includes(s.driver);
  if (i.acceptNvidiaLicense && !needsLicense) throw new NixiError("INVALID_ARGUMENT", `--accept-nvidia-license is only for the legacy_470 and legacy_390 drivers, not ${s.driver ?? "stable"}`);
  if (needsLicense && !(i.acceptNvidiaLicense || (base.acceptLicense && base.driver === s.driver))) {
    throw new NixiError("INVALID_ARGUMENT", `driver ${s.driver} is built by nixpkgs only when NVIDIA's licence is accepted (nixpkgs.config.nvidia.acceptLicense)`, "read NVIDIA's licence, then add --accept-nvidia-license");
  }
  s.acceptLicense = needsLicense;
  if (s.driver === "dc" && s.settingsTool) {
    throw new NixiError("INVALID_ARGUMENT", "the data-centre driver (dc) has no nvidia-settings package: --settings-tool on cannot be used with --driver dc", "leave --settings-tool off (the default)");
  }
  return s;
}

export function applyAmdFlags(base: AmdSettings, i: AmdInput): AmdSettings {
  const s: AmdSettings = { ...base };
  if (i.opencl !== undefined) s.opencl = i.opencl === "on";
  if (i.initrd !== undefined) s.initrd = i.initrd === "on";
  if (i.lib32 !== undefined) s.graphics32bit = i.lib32 === "on";
  return s;
}

/** "open kernel module: false -> true" lines for the plan. */
export function describeChanges<T extends object>(before: T | null, after: T, labels: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const k of Object.keys(labels)) {
    const a = (before as Record<string, unknown> | null)?.[k];
    const b = (after as Record<string, unknown>)[k];
    if (a === b) continue;
    const fmt = (v: unknown) => (v === undefined ? "default" : typeof v === "boolean" ? (v ? "on" : "off") : String(v));
    lines.push(before ? `${labels[k]}: ${fmt(a)} -> ${fmt(b)}` : `${labels[k]}: ${fmt(b)}`);
  }
  return lines;
}

export const NVIDIA_LABELS: Record<string, string> = {
  open: "open kernel module",
  driver: "driver branch",
  modesetting: "modesetting",
  powerManagement: "power management",
  persistenced: "nvidia-persistenced",
  containerToolkit: "container toolkit",
  settingsTool: "nvidia-settings",
  graphics32bit: "32-bit graphics",
  acceptLicense: "NVIDIA licence accepted (nixpkgs.config.nvidia.acceptLicense)",
};
export const AMD_LABELS: Record<string, string> = { opencl: "OpenCL (ROCm)", initrd: "amdgpu in initrd", graphics32bit: "32-bit graphics" };
