// config.toml: inventory, rebuild mode, ask settings, thresholds. Missing file = defaults.
import { parse as parseToml, TomlError } from "smol-toml";
import { readFileSync } from "node:fs";
import { nodeOs } from "./builtins.js";
import { join } from "node:path";
import { NixiError } from "./errors.js";
import { mergeConfig, systemConfigPath } from "./config-layers.js";

/** config.toml chooses switch, test or boot; `system rebuild --mode` also build and dry-activate. */
export type RebuildMode = "switch" | "test" | "boot" | "build" | "dry-activate";
export type NodeMode = "managed" | "monitored";

export interface NodeEntry {
  name: string;
  host: string;
  user: string;
  port: number;
  mode: NodeMode;
  identity?: string;
  tags?: string[];
}

export interface Config {
  /** Path of the config file (whether or not it exists). */
  path: string;
  /** Folder nixi owns on the machine (machine path). */
  nixiDir: string;
  /** configuration.nix (machine path). */
  configurationNix: string;
  rebuild: { mode: RebuildMode; timeoutSeconds: number };
  nodes: NodeEntry[];
  ssh: { connectTimeoutSeconds: number; commandTimeoutSeconds: number; knownHosts: string; identity?: string; parallel: number };
  ask: { host: string; model: string; numCtx: number; timeoutSeconds: number; keepAlive: string };
  health: { diskPercent: number; memoryPercent: number; loadPerCpu: number };
  /** The raw parsed table, for sections owned by one feature. */
  raw: Record<string, unknown>;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.NIXI_CONFIG) return env.NIXI_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || nodeOs().homedir(), ".config");
  return join(base, "nixi", "config.toml");
}

const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
const str = (v: unknown, d: string) => (typeof v === "string" && v !== "" ? v : d);
const table = (v: unknown): Record<string, any> => (v && typeof v === "object" && !Array.isArray(v) ? (v as any) : {});

export function configFromToml(path: string, raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Config {
  const rebuild = table(raw.rebuild);
  const mode = str(rebuild.mode, "switch");
  if (!["switch", "test", "boot"].includes(mode)) {
    throw new NixiError("CONFIG_INVALID", `${path}: rebuild.mode must be switch, test or boot, not "${mode}"`);
  }
  const ssh = table(raw.ssh);
  const ask = table(raw.ask);
  const health = table(raw.health);
  const nodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  const configDir = path.replace(/\/[^/]*$/, "");
  const { nixiDir, configurationNix } = nixosPaths(path, table(raw.nixos));
  return {
    path,
    nixiDir,
    configurationNix,
    rebuild: { mode: mode as RebuildMode, timeoutSeconds: num(rebuild.timeout_seconds, 3600) },
    nodes: nodes.map((n: any, i: number) => {
      if (!n || typeof n.name !== "string" || typeof n.host !== "string") {
        throw new NixiError("CONFIG_INVALID", `${path}: nodes[${i}] needs a name and a host`);
      }
      // exactly one of the two words: `mode = ""` or `mode = ["monitored"]` must not make a node managed
      const nodeMode = n.mode === undefined ? "managed" : n.mode;
      if (nodeMode !== "managed" && nodeMode !== "monitored") {
        throw new NixiError("CONFIG_INVALID", `${path}: node ${n.name}: mode must be exactly "managed" or "monitored", not ${JSON.stringify(nodeMode)}`);
      }
      if (n.port !== undefined && !(Number.isInteger(n.port) && n.port >= 1 && n.port <= 65535)) {
        throw new NixiError("CONFIG_INVALID", `${path}: node ${n.name}: port must be a number 1-65535, not ${JSON.stringify(n.port)}`);
      }
      return {
        name: n.name,
        host: n.host,
        user: str(n.user, "nixi"),
        port: num(n.port, 22),
        mode: nodeMode as NodeMode,
        identity: typeof n.identity === "string" ? n.identity : undefined,
        tags: Array.isArray(n.tags) ? n.tags.map(String) : undefined,
      };
    }),
    ssh: {
      connectTimeoutSeconds: num(ssh.connect_timeout, 10),
      commandTimeoutSeconds: num(ssh.command_timeout, 600),
      knownHosts: str(ssh.known_hosts, join(configDir, "known_hosts")),
      identity: typeof ssh.identity === "string" ? ssh.identity : undefined,
      parallel: num(ssh.parallel, 10),
    },
    ask: {
      host: str(env.OLLAMA_HOST, str(ask.host, "http://127.0.0.1:11434")),
      model: str(ask.model, "qwen3:8b"),
      numCtx: num(ask.num_ctx, 16384),
      timeoutSeconds: num(ask.timeout, 120),
      keepAlive: typeof ask.keep_alive === "number" ? `${ask.keep_alive}s` : str(ask.keep_alive, "5m"),
    },
    health: {
      diskPercent: num(health.disk_percent, 90),
      memoryPercent: num(health.memory_percent, 90),
      loadPerCpu: num(health.load_per_cpu, 2),
    },
    raw,
  };
}

/** [nixos] dir and configuration: absolute, and nixi's folder is a folder of its own (with dir =
 *  /etc/nixos nixi would write users.nix next to the person's configuration.nix). */
function nixosPaths(path: string, t: Record<string, any>): { nixiDir: string; configurationNix: string } {
  const norm = (p: string) => p.replace(/\/+$/, "").replace(/\/+/g, "/") || "/";
  const nixiDir = norm(str(t.dir, "/etc/nixos/nixi"));
  const configurationNix = norm(str(t.configuration, "/etc/nixos/configuration.nix"));
  for (const [k, v] of [["dir", nixiDir], ["configuration", configurationNix]]) {
    if (!v.startsWith("/") || v.split("/").includes("..")) throw new NixiError("CONFIG_INVALID", `${path}: nixos.${k} must be an absolute path without "..", not ${JSON.stringify(v)}`);
  }
  const confDir = configurationNix.replace(/\/[^/]*$/, "") || "/";
  if (nixiDir === "/" || nixiDir === confDir || (confDir + "/").startsWith(nixiDir + "/")) {
    throw new NixiError("CONFIG_INVALID", `${path}: nixos.dir ${nixiDir} is the configuration's own folder (or holds it): nixi needs a folder of its own`, `use a sub-folder, e.g. dir = "${confDir === "/" ? "" : confDir}/nixi"`);
  }
  return { nixiDir, configurationNix };
}

/** `mustExist`: the file was named with --config, so a missing one is an error, not the defaults.
 *  The system layer (/etc/nixi/config.toml, written by the NixOS module) lies under the user's file. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv, opts: { mustExist?: boolean } = {}): Promise<Config> {
  const sys = systemConfigPath(env);
  const base = sys && sys !== path ? await readConfigTable(sys, {}) : null;
  const own = await readConfigTable(path, opts);
  return configFromToml(path, base ? mergeConfig(base, own ?? {}) : (own ?? {}), env);
}

/** The parsed table of one config file; null when it does not exist. Nodes are validated per file,
 *  with the same schemas as node adopt's flags and file:line (loaded only when there are nodes). */
async function readConfigTable(path: string, opts: { mustExist?: boolean }): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e: any) {
    if (e.code === "ENOENT" && !opts.mustExist) return null;
    throw new NixiError("CONFIG_INVALID", e.code === "ENOENT" ? `--config ${path}: no such file` : `cannot read ${path}: ${e.message}`, e.code === "ENOENT" ? "name an existing config.toml, or leave --config out for the default" : undefined);
  }
  try {
    const raw = parseToml(text) as Record<string, unknown>;
    if (Array.isArray(raw.nodes) && raw.nodes.length) (await import("../nodes/validate-config.js")).validateConfigNodes(path, text, raw.nodes);
    return raw;
  } catch (e) {
    if (e instanceof TomlError) {
      throw new NixiError("CONFIG_INVALID", `${path}:${e.line}:${e.column}: ${e.message.split("\n")[0]}`, "fix the file by hand; nixi did not change it");
    }
    throw e;
  }
}
