// The one list of commands. Each group's index.ts lists its leaf commands (one file each).
import type { AnyCommand } from "../core/command.js";
import { toMeta, type Catalog } from "../core/meta.js";
import init from "./init/index.js";
import system from "./system/index.js";
import security from "./security/index.js";
import config from "./config/index.js";
import fw from "./fw/index.js";
import pkg from "./pkg/index.js";
import channel from "./channel/index.js";
import service from "./service/index.js";
import container from "./container/index.js";
import timer from "./timer/index.js";
import node from "./node/index.js";
import user from "./user/index.js";
import gpu from "./gpu/index.js";
import mount from "./mount/index.js";
import option from "./option/index.js";
import net from "./net/index.js";
import file from "./file/index.js";
import completion from "./completion/index.js";
import ask from "./ask/index.js";

export const GROUP_SUMMARIES: Record<string, string> = {
  system: "Generations, rebuild, rollback, health and upgrades",
  security: "Security audit and declarative hardening (hardening.nix)",
  config: "nixi's NixOS configuration: show, diff, set and unset options",
  fw: "Firewall ports",
  pkg: "System packages",
  channel: "Nix channels",
  service: "systemd services",
  container: "OCI containers (podman or docker) with data under /srv/<name>/",
  timer: "Scheduled tasks (systemd timers)",
  node: "The machines nixi manages over SSH",
  user: "Users: declared accounts (users.nix), passwords, SSH keys, locking",
  "user ssh-key": "SSH public keys in ~/.ssh/authorized_keys (imperative, no rebuild)",
  "user groups": "Extra groups of nixi-declared users",
  gpu: "GPU drivers (NVIDIA, AMD) and utilization",
  "gpu nvidia": "NVIDIA driver: open or proprietary kernel module, container toolkit, nvidia-smi",
  "gpu amd": "AMD GPUs: amdgpu with Mesa, ROCm OpenCL, sysfs readings",
  mount: "Filesystems: mount now, declare for every boot (mounts.nix), block devices",
  option: "NixOS options: type, default, current value, search",
  net: "Network diagnostics: interfaces, routes, listening sockets, ping, resolve, TCP check, trace",
  file: "Files under /srv/<name>/ (container data): list, read, write, delete",
};

export const COMMANDS: AnyCommand[] = [...init, ...system, ...config, ...fw, ...pkg, ...channel, ...service, ...container, ...timer, ...node, ...user, ...gpu, ...mount, ...option, ...net, ...file, ...completion, ...security, ...ask];

/** The catalog used when running from source (tests); the build uses a generated manifest instead. */
export const SOURCE_CATALOG: Catalog = {
  metas: COMMANDS.map(toMeta),
  groups: GROUP_SUMMARIES,
  async load(path) {
    const key = path.join(" ");
    const spec = COMMANDS.find((c) => c.path.join(" ") === key);
    if (!spec) throw new Error(`no command ${key}`);
    return spec;
  },
};
