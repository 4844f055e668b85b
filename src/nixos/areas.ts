// The generated modules: one per area of state.toml. Adding an area = adding an entry here.
import type { NixValue } from "./render.js";
import type { State } from "./state.js";
import { firewallArea } from "./modules/firewall.js";
import { optionsArea } from "./modules/options.js";
import { packagesArea } from "./modules/packages.js";
import { timersArea } from "./modules/timers.js";
import { containersArea } from "./modules/containers.js";
import { nodeSetupArea } from "./node-setup.js";
import { usersArea } from "./modules/users.js";
import { gpuArea } from "./modules/gpu.js";
import { mountsArea } from "./modules/mounts.js";
import { hardeningArea } from "../security/hardening/area.js";

export interface Area {
  /** Table in state.toml. */
  key: string;
  /** Generated file in the nixi folder. */
  file: string;
  /** NixOS module body for this area, or null when the area is empty (file not generated). */
  render(section: any, state: State): { [key: string]: NixValue | undefined } | null;
}

export const AREAS: Area[] = [firewallArea, optionsArea, packagesArea, timersArea, containersArea, nodeSetupArea, usersArea, gpuArea, mountsArea, hardeningArea];
