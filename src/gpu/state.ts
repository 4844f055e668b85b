// The [gpu] table of state.toml: [gpu.nvidia] and [gpu.amd], each present only while enabled.
import type { State } from "../nixos/state.js";
import { NixiError } from "../core/errors.js";

/** config.boot.kernelPackages.nvidiaPackages.<driver> attributes nixi offers. */
export const NVIDIA_DRIVERS = ["stable", "production", "latest", "beta", "legacy_535", "legacy_470", "legacy_390", "dc"] as const;
export type NvidiaDriver = (typeof NVIDIA_DRIVERS)[number];
/** Driver branches that have no open kernel module (the open module starts with 515). */
export const NO_OPEN_MODULE: readonly string[] = ["legacy_470", "legacy_390"];
/** Branches nixpkgs builds only with nixpkgs.config.nvidia.acceptLicense = true. */
export const NEEDS_LICENSE: readonly string[] = ["legacy_470", "legacy_390"];

export interface NvidiaSettings {
  /** hardware.nvidia.open: the open kernel module (Turing and newer) or the proprietary one. */
  open: boolean;
  modesetting: boolean;
  /** nvidiaPackages attribute; absent = the NixOS default (stable). */
  driver?: NvidiaDriver;
  powerManagement: boolean;
  persistenced: boolean;
  containerToolkit: boolean;
  /** hardware.nvidia.nvidiaSettings (the nvidia-settings GUI tool). */
  settingsTool: boolean;
  graphics32bit: boolean;
  /** nixpkgs.config.nvidia.acceptLicense, accepted explicitly (--accept-nvidia-license) for the legacy branches. */
  acceptLicense: boolean;
}

export interface AmdSettings {
  /** hardware.amdgpu.opencl.enable (ROCm OpenCL runtime). */
  opencl: boolean;
  /** amdgpu in the initrd (early KMS): boot.initrd.kernelModules. */
  initrd: boolean;
  graphics32bit: boolean;
}

export const NVIDIA_DEFAULTS: NvidiaSettings = {
  open: true,
  modesetting: true,
  powerManagement: false,
  persistenced: false,
  containerToolkit: false,
  settingsTool: false,
  graphics32bit: false,
  acceptLicense: false,
};
export const AMD_DEFAULTS: AmdSettings = { opencl: false, initrd: false, graphics32bit: false };

const BOOL_KEYS_NVIDIA = ["open", "modesetting", "powerManagement", "persistenced", "containerToolkit", "settingsTool", "graphics32bit", "acceptLicense"] as const;
const BOOL_KEYS_AMD = ["opencl", "initrd", "graphics32bit"] as const;

function bad(msg: string): never {
  throw new NixiError("STATE_INVALID", `state.toml [gpu]: ${msg}`, "fix state.toml by hand, or run `nixi gpu <vendor> disable` and enable again");
}

export function readNvidia(state: State): NvidiaSettings | null {
  const t = state.gpu?.nvidia;
  if (t === undefined) return null;
  if (t === null || typeof t !== "object" || Array.isArray(t)) bad("nvidia is not a table");
  const out: any = { ...NVIDIA_DEFAULTS };
  for (const k of BOOL_KEYS_NVIDIA) {
    if (t[k] === undefined) continue;
    if (typeof t[k] !== "boolean") bad(`nvidia.${k} must be true or false, not ${JSON.stringify(t[k])}`);
    out[k] = t[k];
  }
  if (t.driver !== undefined) {
    if (!NVIDIA_DRIVERS.includes(t.driver)) bad(`nvidia.driver ${JSON.stringify(t.driver)} is not one of ${NVIDIA_DRIVERS.join(", ")}`);
    out.driver = t.driver;
  }
  for (const k of Object.keys(t)) if (!(BOOL_KEYS_NVIDIA as readonly string[]).includes(k) && k !== "driver") bad(`unknown key nvidia.${k}`);
  if (out.open && out.driver && NO_OPEN_MODULE.includes(out.driver)) bad(`nvidia.driver ${out.driver} has no open kernel module: set open = false`);
  if (out.driver && NEEDS_LICENSE.includes(out.driver) && !out.acceptLicense) bad(`nvidia.driver ${out.driver} needs NVIDIA's licence accepted: set acceptLicense = true`);
  if (out.driver === "dc" && out.settingsTool) bad("nvidia.driver dc has no nvidia-settings package: set settingsTool = false");
  return out;
}

export function readAmd(state: State): AmdSettings | null {
  const t = state.gpu?.amd;
  if (t === undefined) return null;
  if (t === null || typeof t !== "object" || Array.isArray(t)) bad("amd is not a table");
  const out: any = { ...AMD_DEFAULTS };
  for (const k of BOOL_KEYS_AMD) {
    if (t[k] === undefined) continue;
    if (typeof t[k] !== "boolean") bad(`amd.${k} must be true or false, not ${JSON.stringify(t[k])}`);
    out[k] = t[k];
  }
  for (const k of Object.keys(t)) if (!(BOOL_KEYS_AMD as readonly string[]).includes(k)) bad(`unknown key amd.${k}`);
  return out;
}

export function writeVendor(state: State, vendor: "nvidia" | "amd", settings: NvidiaSettings | AmdSettings | null): void {
  const gpu: Record<string, unknown> = { ...(state.gpu ?? {}) };
  if (settings) gpu[vendor] = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  else delete gpu[vendor];
  if (Object.keys(gpu).length) state.gpu = gpu;
  else delete state.gpu;
}
