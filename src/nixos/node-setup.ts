// Area "node": what `nixi node setup` prepares on a managed node, rendered to node.nix.
// state.toml: [node] user = "nixi", runtime = "podman" | "docker"
//  - security.sudo.extraRules: NOPASSWD only for the programs nixi runs, and for file programs only
//    with the exact argument shapes nixi's SSH executor uses, on paths under /srv and nixi's folder
//    (sudo >= 1.9.10 reads arguments written ^...$ as a regular expression; NixOS 24.05+ has 1.9.15).
//    No blanket root: no shell, no env, no editor, no arbitrary paths.
//  - the container runtime with DNS on its default network (containers reach each other by name),
//  - NFS and SMB client utilities (mount.nfs, mount.cifs),
//  - /srv owned by the nixi user (systemd-tmpfiles).
import { posix } from "node:path";
import type { Area } from "./areas.js";
import type { NixValue } from "./render.js";
import { pkgRef } from "./render.js";
import { NixiError } from "../core/errors.js";
import { USER_NAME_RE } from "../users/names.js";

export interface NodeSetup {
  user: string;
  runtime: "podman" | "docker";
  /** nixi's folder on the node (sudo rules name it). */
  dir?: string;
}

const BIN = "/run/current-system/sw/bin";

/** A path segment that cannot be `.` or `..` (a single leading dot is allowed for nixi's temp files). */
const SEG = "\\.?[A-Za-z0-9_@+][A-Za-z0-9_.@+-]*";
/** A path under /srv or the nixi folder (the folder itself included). */
const pathRe = (nixiDir: string) => `(/srv|${reEscape(nixiDir)})(/${SEG})*`;
/** Strictly below /srv or the nixi folder (never the folder itself). */
const belowRe = (nixiDir: string) => `(/srv|${reEscape(nixiDir)})(/${SEG})+`;

function reEscape(s: string): string {
  return s.replace(/[.^$*+?()[\]{}|\\]/g, "\\$&");
}

/** The sudo commands nixi needs on a node, as sudoers command specs. */
export function sudoCommands(nixiDir: string, runtime: "podman" | "docker"): string[] {
  const P = pathRe(nixiDir);
  const B = belowRe(nixiDir);
  // the folder of configuration.nix and flake.nix, and the temp name the SSH executor writes flake.lock through
  const E = reEscape(posix.dirname(nixiDir));
  const LOCK_TMP = `${E}/\\.flake\\.lock\\.nixi-[0-9a-f]+`;
  return [
    // the NixOS tools nixi drives (rebuild, rollback, generations, channels, garbage collection)
    `${BIN}/nixos-rebuild`,
    `${BIN}/nix-env`,
    `${BIN}/nix-channel`,
    `${BIN}/nix-store`,
    `${BIN}/nix-collect-garbage`,
    // services, timers and transient units
    `${BIN}/systemctl`,
    `${BIN}/systemd-run`,
    `${BIN}/reboot`,
    `${BIN}/shutdown`,
    // containers
    `${BIN}/${runtime}`,
    // mounts
    `${BIN}/mount`,
    `${BIN}/umount`,
    // users
    `${BIN}/passwd`,
    `${BIN}/chpasswd`,
    // firewall: read only
    `${BIN}/nft ^(-[jans] )*list( [A-Za-z0-9_.-]+)*$`,
    `${BIN}/iptables ^(-w )?(-t [a-z]+ )?(-S|-L|-L -n|-nL|-L -n -v)( [A-Za-z0-9_-]+)?$`,
    // nixi's own files, written the way the SSH executor does (temp file + rename)
    `${BIN}/tee ^-- ${P}$`,
    `${BIN}/cat ^-- ${P}$`,
    `${BIN}/mkdir ^(-p )?(-m [0-7]{3,4} )?-- ${P}$`,
    `${BIN}/rm ^-rf -- ${B}$`,
    // plain -f never deletes a folder, so it may name /srv or nixi's folder itself (a no-op there)
    `${BIN}/rm ^-f -- ${P}$`,
    `${BIN}/mv ^-f (-T )?-- ${B} ${B}$`,
    // batched changes keep generations (.previous, .applied) as hard links: no new disk space needed
    `${BIN}/ln ^-f -- ${B} ${B}$`,
    `${BIN}/rmdir ^-- ${P}$`,
    `${BIN}/chmod ^[0-7]{3,4} -- ${B}$`,
    `${BIN}/chown ^(-R )?[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)? -- ${B}$`,
    `${BIN}/stat ^-c %f %s %Y -- ${P}$`,
    // file read --raw: a binary file under /srv, base64-encoded
    `${BIN}/base64 ^-w0 -- ${B}$`,
    `${BIN}/realpath ^-e -- ${P}$`,
    // flakes: stage nixi's files in /etc/nixos's git repository
    `${BIN}/git ^-C /etc/nixos add -A -- .*$`,
    // system upgrade on a flake: update flake.lock, and put it back byte for byte if the rebuild fails
    `${BIN}/nix ^--extra-experimental-features nix-command flakes flake update$`,
    `${BIN}/mkdir ^-p -- ${E}$`,
    `${BIN}/tee ^-- ${LOCK_TMP}$`,
    `${BIN}/chmod ^[0-7]{3,4} -- ${LOCK_TMP}$`,
    `${BIN}/mv ^-f -- ${LOCK_TMP} ${E}/flake\\.lock$`,
    `${BIN}/rm ^-f -- (${LOCK_TMP}|${E}/flake\\.lock)$`,
    // system gc (boot menu) and rollback --to N (activating the chosen generation)
    `/run/current-system/bin/switch-to-configuration ^boot$`,
    `/nix/var/nix/profiles/system/bin/switch-to-configuration ^switch$`,
    // service logs and system health read what only root may read
    `${BIN}/journalctl`,
    `${BIN}/smartctl ^(--scan -j|-H -i -j /dev/[A-Za-z0-9/_.-]+)$`,
  ];
}

/** NixOS writes extraRules commands verbatim into sudoers, where \ , : = must be escaped in arguments. */
export function sudoersEscape(command: string): string {
  const space = command.indexOf(" ");
  if (space < 0) return command;
  return command.slice(0, space) + command.slice(space).replace(/[\\,:=]/g, "\\$&");
}

export function renderNodeSetup(section: NodeSetup, nixiDir = "/etc/nixos/nixi"): { [key: string]: NixValue } {
  const user = section.user;
  if (typeof user !== "string" || !USER_NAME_RE.test(user)) {
    throw new NixiError("STATE_INVALID", `state.toml [node] user must be a plain user name, not ${JSON.stringify(user)}`);
  }
  const runtime = section.runtime ?? "podman";
  if (runtime !== "podman" && runtime !== "docker") {
    throw new NixiError("STATE_INVALID", `state.toml [node] runtime must be podman or docker, not ${JSON.stringify(runtime)}`);
  }
  const body: { [key: string]: NixValue } = {
    environment: { systemPackages: [pkgRef("nfs-utils"), pkgRef("cifs-utils")] },
    boot: { supportedFilesystems: ["nfs", "cifs"] },
    systemd: { tmpfiles: { rules: [`d /srv 0755 ${user} root - -`] } },
    virtualisation:
      runtime === "podman"
        ? { podman: { enable: true, defaultNetwork: { settings: { dns_enabled: true } } } }
        : { docker: { enable: true } },
  };
  if (user !== "root") {
    body.security = {
      sudo: {
        extraRules: [
          {
            users: [user],
            commands: sudoCommands(nixiDir, runtime).map((command) => ({ command: sudoersEscape(command), options: ["NOPASSWD"] })),
          },
        ],
      },
    };
  }
  return body;
}

export const nodeSetupArea: Area = {
  key: "node",
  file: "node.nix",
  render(section) {
    if (!section || typeof section !== "object" || Object.keys(section).length === 0) return null;
    const dir = (section as NodeSetup).dir ?? "/etc/nixos/nixi";
    if (typeof dir !== "string" || !/^(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/.test(dir)) {
      throw new NixiError("STATE_INVALID", `state.toml [node] dir must be a plain absolute path, not ${JSON.stringify(dir)}`);
    }
    return renderNodeSetup(section as NodeSetup, dir);
  },
};
