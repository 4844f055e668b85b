// The [mounts] table of state.toml: { "<mount point>" = { device, fs_type, options = [...] } }.
import type { State } from "../nixos/state.js";
import { NixiError } from "../core/errors.js";
import { checkFsType, checkOptions, checkSource, checkTarget } from "./validate.js";

export interface DeclaredMount {
  target: string;
  device: string;
  fsType: string;
  options: string[];
}

/** Declared mounts, re-checked (state.toml may have been edited by hand). */
export function readMounts(state: State): DeclaredMount[] {
  const t = (state.mounts ?? {}) as Record<string, any>;
  const out: DeclaredMount[] = [];
  for (const [target, v] of Object.entries(t)) {
    try {
      if (checkTarget(target) !== target) throw new Error(`mount point ${JSON.stringify(target)} is not written in its plain form`);
      if (typeof v?.device !== "string" || typeof v?.fs_type !== "string" || !Array.isArray(v?.options)) throw new Error(`${target}: needs device, fs_type and options`);
      checkSource(v.device);
      checkFsType(v.fs_type);
      const options = checkOptions(v.options.map(String), true);
      if (!options.length) throw new Error(`${target}: options is empty`);
      out.push({ target, device: v.device, fsType: v.fs_type, options });
    } catch (e: any) {
      throw new NixiError("STATE_INVALID", `state.toml [mounts]: ${e.message}`, "fix state.toml by hand");
    }
  }
  return out.sort((a, b) => a.target.localeCompare(b.target));
}

export function setMount(state: State, m: DeclaredMount): void {
  const t = (state.mounts ??= {}) as Record<string, unknown>;
  t[m.target] = { device: m.device, fs_type: m.fsType, options: m.options };
}

export function dropMount(state: State, target: string): boolean {
  const t = state.mounts as Record<string, unknown> | undefined;
  if (!t || !(target in t)) return false;
  delete t[target];
  if (!Object.keys(t).length) delete state.mounts;
  return true;
}
