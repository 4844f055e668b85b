// config.toml: inventory, rebuild mode, ask settings, thresholds. Missing file = defaults.
import { parse as parseToml, TomlError } from "smol-toml";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { NixiError } from "./errors.js";

export type RebuildMode = "switch" | "test" | "boot";
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
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
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
  return {
    path,
    nixiDir: str(table(raw.nixos).dir, "/etc/nixos/nixi"),
    configurationNix: str(table(raw.nixos).configuration, "/etc/nixos/configuration.nix"),
    rebuild: { mode: mode as RebuildMode, timeoutSeconds: num(rebuild.timeout_seconds, 3600) },
    nodes: nodes.map((n: any, i: number) => {
      if (!n || typeof n.name !== "string" || typeof n.host !== "string") {
        throw new NixiError("CONFIG_INVALID", `${path}: nodes[${i}] needs a name and a host`);
      }
      const nodeMode = str(n.mode, "managed");
      if (nodeMode !== "managed" && nodeMode !== "monitored") {
        throw new NixiError("CONFIG_INVALID", `${path}: node ${n.name}: mode must be managed or monitored, not "${nodeMode}"`);
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
      numCtx: num(ask.num_ctx, 8192),
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

export async function loadConfig(path: string, env: NodeJS.ProcessEnv): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e: any) {
    if (e.code === "ENOENT") return configFromToml(path, {}, env);
    throw new NixiError("CONFIG_INVALID", `cannot read ${path}: ${e.message}`);
  }
  try {
    return configFromToml(path, parseToml(text) as Record<string, unknown>, env);
  } catch (e) {
    if (e instanceof TomlError) {
      throw new NixiError("CONFIG_INVALID", `${path}:${e.line}:${e.column}: ${e.message.split("\n")[0]}`, "fix the file by hand; nixi did not change it");
    }
    throw e;
  }
}
