// Runtime adapters for podman and docker. Every read uses the runtime's JSON output
// (`podman ... --format json`, `docker ... --format '{{json .}}'`, `inspect`), never columns.
// All calls go through an Executor; reads are marked readOnly.
import type { Executor, RunResult } from "../core/executor.js";
import { NixiError } from "../core/errors.js";
import type { Backend } from "./validate.js";
import { commandError } from "../core/run.js";

export interface ContainerSummary {
  name: string;
  id: string;
  image: string;
  /** running, exited, created, paused, ... */
  state: string;
  ports: string[];
  networks: string[];
  /** ISO time the container last started (running containers only). */
  startedAt?: string;
}

export interface ContainerDetails extends ContainerSummary {
  running: boolean;
  exitCode: number | null;
  finishedAt?: string;
  restartCount: number;
  /** Environment variable names; values are never returned (see redactEnv). */
  env: Record<string, string>;
  mounts: Array<{ source: string; destination: string; readOnly: boolean }>;
  cmd: string[];
  entrypoint: string[];
  labels: Record<string, string>;
}

export interface LogLine {
  time?: string;
  stream: "stdout" | "stderr";
  text: string;
}

export interface LogOptions {
  lines?: number;
  since?: string;
  follow?: boolean;
  /** With follow: called for each complete stdout line as it arrives. */
  onLine?: (line: LogLine) => void;
  timeoutMs?: number;
}

export type Verb = "start" | "stop" | "restart";

export interface Runtime {
  readonly backend: Backend;
  list(): Promise<ContainerSummary[]>;
  inspect(name: string): Promise<ContainerDetails | null>;
  logs(name: string, opts?: LogOptions): Promise<LogLine[]>;
  /** start/stop/restart through the runtime CLI. */
  act(verb: Verb, name: string): Promise<void>;
  /** `podman network create nixi` / `docker network create nixi` unless it exists. Returns true when created. */
  ensureNetwork(network: string): Promise<boolean>;
  networkExists(network: string): Promise<boolean>;
}

const ZERO_TIME = /^0001-01-01/;
const REDACTED = "<redacted>";

function failure(backend: string, argv: string[], r: RunResult): NixiError {
  if (r.notFound) return new NixiError("FAILED", `${backend} is not installed on this node`, `install ${backend}, or set the backend with \`nixi container deploy --backend\``);
  return commandError(argv.slice(0, 3), r);
}

function parseJson(text: string, what: string): any {
  try {
    return JSON.parse(text);
  } catch {
    throw new NixiError("FAILED", `could not parse the JSON output of ${what}`);
  }
}

const noSuchContainer = (text: string) => /no such (container|object)|no container with name or id/i.test(text);

/** docker/podman inspect JSON (both use the docker-compatible shape) -> details. */
export function parseInspect(o: any): ContainerDetails {
  const state = o?.State ?? {};
  const cfg = o?.Config ?? {};
  const env: Record<string, string> = {};
  for (const kv of Array.isArray(cfg.Env) ? cfg.Env : []) {
    const s = String(kv);
    const i = s.indexOf("=");
    env[i < 0 ? s : s.slice(0, i)] = REDACTED;
  }
  const ports: string[] = [];
  const np = o?.NetworkSettings?.Ports ?? o?.HostConfig?.PortBindings ?? {};
  for (const [key, bindings] of Object.entries<any>(np ?? {})) {
    const [cport, proto = "tcp"] = key.split("/");
    for (const b of Array.isArray(bindings) ? bindings : []) {
      if (!b?.HostPort) continue;
      const ip = b.HostIp && b.HostIp !== "0.0.0.0" && b.HostIp !== "::" ? `${b.HostIp.includes(":") ? `[${b.HostIp}]` : b.HostIp}:` : "";
      ports.push(`${ip}${b.HostPort}:${cport}/${proto}`);
    }
  }
  const startedAt = typeof state.StartedAt === "string" && !ZERO_TIME.test(state.StartedAt) ? state.StartedAt : undefined;
  const finishedAt = typeof state.FinishedAt === "string" && !ZERO_TIME.test(state.FinishedAt) ? state.FinishedAt : undefined;
  const status = typeof state.Status === "string" ? state.Status : state.Running ? "running" : "unknown";
  return {
    name: String(o?.Name ?? "").replace(/^\//, ""),
    id: String(o?.Id ?? ""),
    image: String(o?.ImageName ?? cfg.Image ?? o?.Image ?? ""),
    state: status,
    running: !!state.Running,
    exitCode: typeof state.ExitCode === "number" ? state.ExitCode : null,
    startedAt,
    finishedAt,
    restartCount: typeof o?.RestartCount === "number" ? o.RestartCount : 0,
    env,
    ports: [...new Set(ports)].sort(),
    networks: Object.keys(o?.NetworkSettings?.Networks ?? {}).sort(),
    mounts: (Array.isArray(o?.Mounts) ? o.Mounts : []).map((m: any) => ({
      source: String(m?.Source ?? ""),
      destination: String(m?.Destination ?? ""),
      readOnly: m?.RW === false,
    })),
    cmd: Array.isArray(cfg.Cmd) ? cfg.Cmd.map(String) : typeof cfg.Cmd === "string" ? [cfg.Cmd] : [],
    entrypoint: Array.isArray(cfg.Entrypoint) ? cfg.Entrypoint.map(String) : typeof cfg.Entrypoint === "string" && cfg.Entrypoint ? [cfg.Entrypoint] : [],
    labels: cfg.Labels && typeof cfg.Labels === "object" ? Object.fromEntries(Object.entries(cfg.Labels).map(([k, v]) => [k, String(v)])) : {},
  };
}

/** `podman ps -a --format json` (a JSON array) -> summaries. */
export function parsePodmanPs(text: string): ContainerSummary[] {
  const arr = text.trim() === "" ? [] : parseJson(text, "podman ps");
  if (!Array.isArray(arr)) throw new NixiError("FAILED", "podman ps did not return a JSON array");
  return arr
    .filter((c: any) => !c?.IsInfra)
    .map((c: any) => {
      const name = Array.isArray(c.Names) ? String(c.Names[0] ?? "") : String(c.Names ?? "");
      const ports = (Array.isArray(c.Ports) ? c.Ports : []).flatMap((p: any) => {
        const range = Math.max(1, Number(p.range) || 1);
        const out: string[] = [];
        for (let i = 0; i < range; i++) {
          const ip = p.host_ip && p.host_ip !== "0.0.0.0" && p.host_ip !== "::" ? `${String(p.host_ip).includes(":") ? `[${p.host_ip}]` : p.host_ip}:` : "";
          out.push(`${ip}${Number(p.host_port) + i}:${Number(p.container_port) + i}/${p.protocol || "tcp"}`);
        }
        return out;
      });
      const started = typeof c.StartedAt === "number" && c.StartedAt > 0 ? new Date(c.StartedAt * 1000).toISOString() : undefined;
      const state = String(c.State ?? "unknown");
      return {
        name,
        id: String(c.Id ?? ""),
        image: String(c.Image ?? ""),
        state,
        ports: ports.sort(),
        networks: Array.isArray(c.Networks) ? c.Networks.map(String).sort() : [],
        startedAt: state === "running" ? started : undefined,
      };
    });
}

/** docker's "127.0.0.1:8080->80/tcp, :::8080->80/tcp, 443/tcp" -> ["127.0.0.1:8080:80/tcp", "8080:80/tcp"]. */
export function parseDockerPorts(s: string): string[] {
  const out = new Set<string>();
  for (const part of String(s ?? "").split(",").map((x) => x.trim()).filter(Boolean)) {
    const m = /^(?:(.*):)?(\d+)(?:-(\d+))?->(\d+)(?:-(\d+))?\/(\w+)$/.exec(part);
    if (!m) continue;
    const [, ipRaw, hp, hpEnd, cp, , proto] = m;
    const ip = ipRaw && ipRaw !== "0.0.0.0" && ipRaw !== "::" && ipRaw !== "[::]" ? `${ipRaw}:` : "";
    const n = hpEnd ? Number(hpEnd) - Number(hp) + 1 : 1;
    for (let i = 0; i < n && i < 1024; i++) out.add(`${ip}${Number(hp) + i}:${Number(cp) + i}/${proto}`);
  }
  return [...out].sort();
}

/** `docker ps -a --format '{{json .}}'` (one JSON object per line) -> summaries (no start time). */
export function parseDockerPs(text: string): ContainerSummary[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const c = parseJson(l, "docker ps");
      return {
        name: String(c.Names ?? "").split(",")[0],
        id: String(c.ID ?? ""),
        image: String(c.Image ?? ""),
        state: String(c.State ?? "unknown"),
        ports: parseDockerPorts(c.Ports),
        networks: String(c.Networks ?? "").split(",").map((x) => x.trim()).filter(Boolean).sort(),
      };
    });
}

const TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (.*)$/;

/** `logs --timestamps` output of one stream -> lines (a line without a timestamp continues the previous time). */
export function parseLogStream(text: string, stream: "stdout" | "stderr"): LogLine[] {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  let last: string | undefined;
  return lines.map((l) => {
    const m = TS.exec(l);
    if (m) {
      last = m[1];
      return { time: m[1], stream, text: m[2] };
    }
    return { time: last, stream, text: l };
  });
}

/** Merge both streams in time order (stable: equal times keep stdout-then-stderr order). */
export function mergeLogs(out: LogLine[], err: LogLine[]): LogLine[] {
  const key = (l: LogLine) => (l.time ? Date.parse(l.time) : 0) * 1000 + fraction(l.time);
  const all = [...out.map((l, i) => ({ l, i })), ...err.map((l, i) => ({ l, i: i + out.length }))];
  all.sort((a, b) => key(a.l) - key(b.l) || a.i - b.i);
  return all.map((x) => x.l);
}

// microseconds within the millisecond, so sub-millisecond order is kept
function fraction(t?: string): number {
  const m = t ? /\.\d{3}(\d{0,3})/.exec(t) : null;
  return m ? Number((m[1] + "000").slice(0, 3)) : 0;
}

abstract class CliRuntime implements Runtime {
  abstract readonly backend: Backend;
  constructor(protected readonly exec: Executor) {}

  protected async call(argv: string[], readOnly: boolean, timeoutMs = 120_000): Promise<RunResult> {
    return this.exec.run([this.backend, ...argv], { readOnly, privileged: true, timeoutMs });
  }

  protected async ok(argv: string[], readOnly: boolean): Promise<RunResult> {
    const r = await this.call(argv, readOnly);
    if (r.exitCode !== 0) throw failure(this.backend, [this.backend, ...argv], r);
    return r;
  }

  abstract list(): Promise<ContainerSummary[]>;

  async inspect(name: string): Promise<ContainerDetails | null> {
    const argv = ["container", "inspect", name];
    const r = await this.call(argv, true);
    if (r.exitCode !== 0) {
      if (noSuchContainer(r.stderr + r.stdout)) return null;
      throw failure(this.backend, [this.backend, ...argv], r);
    }
    const arr = parseJson(r.stdout, `${this.backend} inspect`);
    if (!Array.isArray(arr) || arr.length === 0) return null;
    return parseInspect(arr[0]);
  }

  async logs(name: string, opts: LogOptions = {}): Promise<LogLine[]> {
    const argv = ["logs", "--timestamps"];
    if (opts.lines !== undefined) argv.push("--tail", String(opts.lines));
    if (opts.since) argv.push("--since", opts.since);
    if (opts.follow) argv.push("--follow");
    argv.push("--", name);
    let pending = "";
    const r = await this.exec.run([this.backend, ...argv], {
      readOnly: true,
      privileged: true,
      timeoutMs: opts.follow ? opts.timeoutMs : (opts.timeoutMs ?? 120_000),
      onStdout: opts.onLine
        ? (chunk) => {
            pending += chunk;
            const parts = pending.split("\n");
            pending = parts.pop()!;
            for (const l of parseLogStream(parts.join("\n") + (parts.length ? "\n" : ""), "stdout")) opts.onLine!(l);
          }
        : undefined,
    });
    if (r.exitCode !== 0 && !r.timedOut) {
      if (noSuchContainer(r.stderr)) throw new NixiError("NOT_FOUND", `no container named ${JSON.stringify(name)} on this node`, "see `nixi container list`");
      throw failure(this.backend, [this.backend, ...argv], r);
    }
    if (opts.onLine && pending) for (const l of parseLogStream(pending, "stdout")) opts.onLine(l);
    return mergeLogs(parseLogStream(r.stdout, "stdout"), parseLogStream(r.stderr, "stderr"));
  }

  async act(verb: Verb, name: string): Promise<void> {
    const argv = verb === "start" ? ["start", name] : [verb, "--time", "10", name];
    const r = await this.call(argv, false);
    if (r.exitCode !== 0) {
      if (noSuchContainer(r.stderr)) throw new NixiError("NOT_FOUND", `no container named ${JSON.stringify(name)} on this node`, "see `nixi container list`");
      throw failure(this.backend, [this.backend, ...argv], r);
    }
  }

  async networkExists(network: string): Promise<boolean> {
    const r = await this.call(["network", "inspect", network], true);
    return r.exitCode === 0;
  }

  async ensureNetwork(network: string): Promise<boolean> {
    if (await this.networkExists(network)) return false;
    const r = await this.call(["network", "create", network], false);
    if (r.exitCode !== 0) {
      if (/already exists/i.test(r.stderr)) return false; // created concurrently
      throw failure(this.backend, [this.backend, "network", "create", network], r);
    }
    return true;
  }
}

export class PodmanRuntime extends CliRuntime {
  readonly backend = "podman" as const;
  async list(): Promise<ContainerSummary[]> {
    const r = await this.ok(["ps", "-a", "--format", "json"], true);
    return parsePodmanPs(r.stdout);
  }
}

export class DockerRuntime extends CliRuntime {
  readonly backend = "docker" as const;
  async list(): Promise<ContainerSummary[]> {
    const r = await this.ok(["ps", "-a", "--no-trunc", "--format", "{{json .}}"], true);
    const rows = parseDockerPs(r.stdout);
    if (rows.length === 0) return rows;
    // docker ps has no start time: one inspect call for all of them.
    const ins = await this.call(["container", "inspect", ...rows.map((x) => x.id)], true);
    if (ins.exitCode === 0) {
      const arr = parseJson(ins.stdout, "docker inspect");
      const byId = new Map<string, any>((Array.isArray(arr) ? arr : []).map((o: any) => [String(o?.Id ?? ""), o]));
      for (const row of rows) {
        const o = [...byId.entries()].find(([id]) => id.startsWith(row.id) || row.id.startsWith(id))?.[1];
        if (o) {
          const d = parseInspect(o);
          if (d.running) row.startedAt = d.startedAt;
        }
      }
    }
    return rows;
  }
}

export function runtimeFor(backend: Backend, exec: Executor): Runtime {
  return backend === "docker" ? new DockerRuntime(exec) : new PodmanRuntime(exec);
}

/** Which container engine this node has: the state's backend when declared, else what is installed
 *  (podman preferred, as NixOS defaults to it), else null. */
export async function detectBackend(exec: Executor, declared?: unknown): Promise<Backend | null> {
  if (declared === "podman" || declared === "docker") return declared;
  if (await exec.which("podman")) return "podman";
  if (await exec.which("docker")) return "docker";
  return null;
}

export const unitName = (backend: Backend, name: string) => `${backend}-${name}.service`;

/** Does systemd know the unit (generated by virtualisation.oci-containers)? False when systemctl is missing or fails. */
export async function unitExists(exec: Executor, unit: string): Promise<boolean> {
  const r = await exec.run(["systemctl", "show", "--property=LoadState", unit], { readOnly: true, timeoutMs: 15_000 });
  return r.exitCode === 0 && /^LoadState=loaded$/m.test(r.stdout);
}
