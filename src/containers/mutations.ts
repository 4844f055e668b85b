// The state edits behind `container deploy`, `update` and `remove` (mutate-style change commands).
import type { Ctx } from "../core/context.js";
import type { MutateResult } from "../core/command.js";
import { NixiError } from "../core/errors.js";
import type { State } from "../nixos/state.js";
import { openPorts, closePorts } from "../firewall/state.js";
import type { PortSpec } from "../firewall/ports.js";
import { section, declared, dependents, checkDecl, NETWORK, type ContainerDecl } from "./state.js";
import { checkNoNestedVolumes, checkVolumeOnMachine, checkSrvRoot, credentialsFile, dataFolders, formatVolume, parseVolume, srvDir, CREDENTIALS_DIR } from "./volumes.js";
import { parsePort, formatPort, isLoopbackBinding, type Backend, type RestartPolicy } from "./validate.js";
import { detectBackend, unitName } from "./runtime.js";
import { readSecrets, parseDotenv, renderEnvFile } from "./secrets.js";
import { splitWords } from "./shellwords.js";
import { looksLikeSecret } from "../core/redact.js";

export interface DeployInput {
  name: string;
  image: string;
  port?: string[];
  env?: Array<{ key: string; value: string }>;
  envSecret?: string[];
  envFile?: string;
  volume?: string[];
  cmd?: string;
  dependsOn?: string[];
  restartPolicy?: RestartPolicy;
  openFirewall?: boolean;
  public?: boolean;
  backend?: Backend;
}

export interface UpdateInput {
  name: string;
  image?: string;
  port?: string[];
  removePort?: string[];
  env?: Array<{ key: string; value: string }>;
  unsetEnv?: string[];
  envSecret?: string[];
  envFile?: string;
  removeSecret?: string[];
  volume?: string[];
  cmd?: string;
  dependsOn?: string[];
  restartPolicy?: RestartPolicy;
  openFirewall?: boolean;
  public?: boolean;
  pull?: boolean;
}

export interface RemoveInput {
  name: string;
  purge?: boolean;
}

const fwSpec = (p: string): PortSpec | null => {
  const m = parsePort(p);
  return m && !isLoopbackBinding(m) ? { from: m.hostPort, to: m.hostPort, proto: m.proto } : null;
};
const fwLabel = (s: PortSpec) => `${s.from}/${s.proto}`;

/** A new --port without an address publishes on 127.0.0.1; --public on all addresses (no address
 *  in state.toml, which is also what older nixi wrote: such entries keep rendering the same). */
function bindPort(spec: string, isPublic?: boolean): string {
  const m = parsePort(spec)!;
  if (m.hostIp || isPublic) return formatPort(m);
  return formatPort({ ...m, hostIp: "127.0.0.1" });
}

/** --remove-port HOST:CONTAINER also matches the same mapping stored with an address. */
function samePublish(stored: string, given: string): boolean {
  const a = parsePort(stored);
  const b = parsePort(given);
  if (!a || !b) return stored === given;
  return a.hostPort === b.hostPort && a.containerPort === b.containerPort && a.proto === b.proto && (!b.hostIp || a.hostIp === b.hostIp);
}

function describePublish(p: string, backend: Backend, openFirewall: boolean): string {
  const m = parsePort(p)!;
  if (isLoopbackBinding(m)) return `publish ${p} on ${m.hostIp} only (reachable from this machine and its reverse proxy; --public publishes on all addresses)`;
  const where = m.hostIp ? `on ${m.hostIp}` : "on all addresses";
  return `publish ${p} ${where}: reachable from the network whatever the NixOS firewall says (${backend}'s published ports bypass it)${openFirewall ? "; also listed in the NixOS firewall (--open-firewall)" : ""}`;
}

async function chooseBackend(ctx: Ctx, state: State, wanted?: Backend): Promise<{ backend: Backend; warnings: string[] }> {
  const sec = section(state);
  const warnings: string[] = [];
  const others = Object.keys(sec.containers ?? {}).length;
  if (sec.backend) {
    if (wanted && wanted !== sec.backend) {
      if (others) throw new NixiError("INVALID_ARGUMENT", `this node's containers run on ${sec.backend}; --backend ${wanted} would move all ${others} of them`, "remove them first, or edit containers.backend in state.toml");
      sec.backend = wanted;
    }
    return { backend: sec.backend, warnings };
  }
  let backend = wanted ?? (await detectBackend(ctx.exec));
  if (!backend) {
    backend = "podman";
    warnings.push("neither podman nor docker is installed on this node yet: using podman (NixOS enables it with the rebuild)");
  }
  sec.backend = backend;
  return { backend, warnings };
}

function checkDependsOn(state: State, name: string, deps: string[]): void {
  const all = declared(state);
  for (const d of deps) {
    if (d === name) throw new NixiError("INVALID_ARGUMENT", `--depends-on ${d}: a container cannot depend on itself`);
    if (!all[d]) throw new NixiError("INVALID_ARGUMENT", `--depends-on ${d}: no container named ${JSON.stringify(d)} is declared`, "deploy it first (dependencies first)");
  }
  // no cycles: walk from each dependency
  const seen = new Set<string>();
  const walk = (n: string): void => {
    if (n === name) throw new NixiError("INVALID_ARGUMENT", `--depends-on would create a cycle through ${name}`);
    if (seen.has(n)) return;
    seen.add(n);
    for (const x of all[n]?.depends_on ?? []) walk(x);
  };
  for (const d of deps) walk(d);
}

function checkPorts(state: State, name: string, ports: string[]): void {
  const seen = new Map<string, string>();
  for (const [other, d] of Object.entries(declared(state))) {
    if (other === name) continue;
    for (const p of d.ports ?? []) {
      const m = parsePort(p);
      if (m) seen.set(`${m.hostPort}/${m.proto}`, other);
    }
  }
  const mine = new Set<string>();
  for (const p of ports) {
    const m = parsePort(p)!;
    const key = `${m.hostPort}/${m.proto}`;
    if (seen.has(key)) throw new NixiError("INVALID_ARGUMENT", `host port ${key} is already published by container ${seen.get(key)}`);
    if (mine.has(key)) throw new NixiError("INVALID_ARGUMENT", `host port ${key} is given twice`);
    mine.add(key);
  }
}

/** Firewall: open the published (non-loopback) ports, remembering which this container opened. */
function openFirewallFor(state: State, decl: ContainerDecl, summary: string[], warnings: string[]): string[] {
  const specs: PortSpec[] = [];
  for (const p of decl.ports ?? []) {
    const s = fwSpec(p);
    if (s) specs.push(s);
    else warnings.push(`port ${p} is bound to loopback: no firewall opening needed`);
  }
  if (!specs.length) return [];
  const added = openPorts(state, specs);
  decl.firewall_ports = [...new Set([...(decl.firewall_ports ?? []), ...specs.map(fwLabel)])].sort();
  if (added.length) summary.push(`open firewall port${added.length > 1 ? "s" : ""} ${added.map(fwLabel).join(", ")}`);
  return added.map(fwLabel);
}

/** Close ports this container opened that no other container opened as well. */
function closeFirewallFor(state: State, name: string, labels: string[], summary: string[]): string[] {
  const stillUsed = new Set<string>();
  for (const [other, d] of Object.entries(declared(state))) if (other !== name) for (const l of d.firewall_ports ?? []) stillUsed.add(l);
  const specs = labels
    .filter((l) => !stillUsed.has(l))
    .map((l) => {
      const [port, proto] = l.split("/");
      return { from: Number(port), to: Number(port), proto: proto as "tcp" | "udp" };
    })
    .filter((s) => Number.isInteger(s.from) && (s.proto === "tcp" || s.proto === "udp"));
  if (!specs.length) return [];
  const closed = closePorts(state, specs);
  if (closed.length) summary.push(`close firewall port${closed.length > 1 ? "s" : ""} ${closed.map(fwLabel).join(", ")} (opened for ${name})`);
  return closed.map(fwLabel);
}

/** An --env value shaped like a secret (a key, a token, URL credentials) would land in the Nix store: refused, not echoed. */
function refuseSecretValue(key: string, value: string): void {
  if (looksLikeSecret(value)) {
    throw new NixiError("INSECURE", `refusing --env ${key}=...: the value looks like a secret (key, token, password or URL credentials) and --env values go into state.toml and the Nix store`, `use --env-secret ${key} (read from stdin or a prompt, kept in /srv/.credentials/)`);
  }
}

async function secretFile(ctx: Ctx, name: string, keys: string[], fresh: Map<string, string>, keepOld: boolean) {
  const path = credentialsFile(name);
  const values = new Map<string, string>();
  if (keepOld) {
    const old = await ctx.exec.readFile(path);
    if (old !== null) {
      try {
        for (const [k, v] of parseDotenv(old, path)) if (keys.includes(k)) values.set(k, v);
      } catch {
        /* an unreadable old file is replaced */
      }
    }
  }
  for (const [k, v] of fresh) values.set(k, v);
  const missing = keys.filter((k) => !values.has(k));
  if (missing.length) {
    throw new NixiError("INVALID_ARGUMENT", `no value for secret ${missing.join(", ")} (${path} does not have it)`, `give it again with --env-secret ${missing[0]}`);
  }
  return { path, content: renderEnvFile(name, values), mode: 0o600, secret: true, privileged: true };
}

function describe(name: string, d: ContainerDecl, backend: Backend, firewall: string[]) {
  const vols = (d.volumes ?? []).map(parseVolume);
  return {
    name,
    image: d.image,
    backend,
    unit: unitName(backend, name),
    network: NETWORK,
    ports: d.ports ?? [],
    environment: Object.keys(d.environment ?? {}).sort(),
    secretEnv: d.secret_env ?? [],
    credentialsFile: d.secret_env?.length ? credentialsFile(name) : null,
    volumes: vols.map((v) => ({ host: `${srvDir(name)}/${v.sub}`, container: v.containerPath, options: v.options })),
    dataDir: srvDir(name),
    cmd: d.cmd ?? [],
    dependsOn: d.depends_on ?? [],
    restart: d.restart ?? "always",
    firewallOpened: firewall,
  };
}

export async function applyDeploy(state: State, input: DeployInput, ctx: Ctx): Promise<MutateResult> {
  const { name } = input;
  const summary: string[] = [];
  const { backend, warnings } = await chooseBackend(ctx, state, input.backend);
  const sec = section(state);
  const existing = sec.containers![name];
  // /srv/<name>/ belongs to the nixi user (created by `nixi node setup`). On a machine without it,
  // systemd-tmpfiles would fail on the unknown owner and the switch with it: fall back to root once.
  if (sec.data_owner === undefined && !/^nixi:/m.test((await ctx.exec.readFile("/etc/passwd")) ?? "")) {
    sec.data_owner = "root";
    warnings.push("there is no user nixi on this machine: data folders under /srv are owned by root ([containers] data_owner in state.toml; `nixi node setup` creates the user)");
  }
  // Volumes: lexical and on-machine checks before anything else is decided.
  const vols = [];
  for (const v of input.volume ?? []) vols.push(await checkVolumeOnMachine(ctx.exec, name, v));
  checkNoNestedVolumes(vols);
  await checkSrvRoot(ctx.exec, name);
  const ports = [...new Set((input.port ?? []).map((p) => bindPort(p, input.public)))];
  checkPorts(state, name, ports);
  const deps = [...new Set(input.dependsOn ?? [])].sort();
  checkDependsOn(state, name, deps);
  const env: Record<string, string> = {};
  for (const { key, value } of input.env ?? []) {
    env[key] = value;
    refuseSecretValue(key, value);
  }
  const secretKeys = [...new Set([...(input.envSecret ?? [])])];
  const fresh = await readSecrets(ctx, secretKeys, input.envFile);
  for (const k of fresh.keys()) if (!secretKeys.includes(k)) secretKeys.push(k);
  secretKeys.sort();
  for (const k of secretKeys) if (k in env) throw new NixiError("INVALID_ARGUMENT", `${k} is given both as --env and as a secret`);
  const decl: ContainerDecl = {
    image: input.image,
    ...(ports.length ? { ports } : {}),
    ...(Object.keys(env).length ? { environment: env } : {}),
    ...(secretKeys.length ? { secret_env: secretKeys } : {}),
    ...(vols.length ? { volumes: vols.map(formatVolume) } : {}),
    ...(input.cmd !== undefined ? { cmd: splitWords(input.cmd) } : {}),
    ...(deps.length ? { depends_on: deps } : {}),
    ...(input.restartPolicy && input.restartPolicy !== "always" ? { restart: input.restartPolicy } : {}),
  };
  checkDecl(name, decl);
  summary.push(`${existing ? "redeploy" : "deploy"} container ${name} (${input.image}) with ${backend} on network ${NETWORK}`);
  for (const p of ports) summary.push(describePublish(p, backend, !!input.openFirewall));
  const folders = dataFolders(name, vols);
  if (vols.length) summary.push(`data under ${srvDir(name)}/: ${vols.map((v) => v.sub + "/").join(", ")}`);
  const files = [];
  if (secretKeys.length) {
    files.push(await secretFile(ctx, name, secretKeys, fresh, false));
    summary.push(`secret ${secretKeys.join(", ")} -> ${credentialsFile(name)} (mode 600)`);
  }
  sec.containers![name] = decl;
  let opened: string[] = [];
  if (input.openFirewall) opened = openFirewallFor(state, decl, summary, warnings);
  // Ports this container opened before and no longer asks for are closed (unless another container opened them too).
  const now = new Set(decl.firewall_ports ?? []);
  const drop = (existing?.firewall_ports ?? []).filter((l) => !now.has(l));
  if (drop.length) closeFirewallFor(state, name, drop, summary);
  return {
    summary,
    data: describe(name, decl, backend, opened),
    files,
    mkdirs: [...(secretKeys.length ? [{ path: CREDENTIALS_DIR, mode: 0o700 }] : []), ...folders.map((path) => ({ path, mode: 0o750 }))],
    warnings,
  };
}

export async function applyUpdate(state: State, input: UpdateInput, ctx: Ctx): Promise<MutateResult> {
  const { name } = input;
  const sec = section(state);
  const old = sec.containers![name];
  if (!old) throw new NixiError("NOT_FOUND", `no container named ${JSON.stringify(name)} is declared`, `deploy it with \`nixi container deploy ${name} --image IMAGE\``);
  const backend: Backend = sec.backend ?? (await detectBackend(ctx.exec)) ?? "podman";
  sec.backend ??= backend;
  const d: ContainerDecl = structuredClone(old);
  const summary: string[] = [];
  const warnings: string[] = [];
  if (input.image && input.image !== d.image) {
    summary.push(`image ${d.image} -> ${input.image}`);
    d.image = input.image;
  }
  // ports
  let ports = [...(d.ports ?? [])];
  for (const rp of input.removePort ?? []) {
    const before = ports.length;
    ports = ports.filter((p) => !samePublish(p, rp));
    if (ports.length === before) throw new NixiError("INVALID_ARGUMENT", `${name} does not publish ${rp}`, `it publishes: ${(d.ports ?? []).join(", ") || "nothing"}`);
    summary.push(`stop publishing ${rp}`);
  }
  for (const raw of input.port ?? []) {
    const p = bindPort(raw, input.public);
    if (!ports.includes(p)) {
      ports.push(p);
      summary.push(describePublish(p, backend, !!input.openFirewall));
    }
  }
  checkPorts(state, name, ports);
  d.ports = ports;
  // environment
  const env = { ...(d.environment ?? {}) };
  for (const k of input.unsetEnv ?? []) {
    if (k in env) {
      delete env[k];
      summary.push(`unset ${k}`);
    }
  }
  for (const { key, value } of input.env ?? []) {
    if (env[key] !== value) summary.push(`set ${key}`);
    env[key] = value;
    refuseSecretValue(key, value);
  }
  d.environment = env;
  // secrets
  let secretKeys = [...(d.secret_env ?? [])];
  for (const k of input.removeSecret ?? []) {
    if (!secretKeys.includes(k)) throw new NixiError("INVALID_ARGUMENT", `${name} has no secret ${k}`);
    secretKeys = secretKeys.filter((x) => x !== k);
    summary.push(`remove secret ${k}`);
  }
  const fresh = await readSecrets(ctx, input.envSecret ?? [], input.envFile);
  for (const k of fresh.keys()) {
    if (!secretKeys.includes(k)) secretKeys.push(k);
    if (k in env) {
      delete env[k];
      summary.push(`${k} moves from environment to the credentials file`);
    }
  }
  secretKeys.sort();
  if (fresh.size) summary.push(`secret ${[...fresh.keys()].sort().join(", ")} -> ${credentialsFile(name)} (mode 600)`);
  d.secret_env = secretKeys;
  // volumes: re-check all of them on the machine (a symlink may have appeared since)
  const vols = (d.volumes ?? []).map(parseVolume);
  for (const v of input.volume ?? []) {
    const p = await checkVolumeOnMachine(ctx.exec, name, v);
    if (!vols.some((x) => formatVolume(x) === formatVolume(p))) {
      vols.push(p);
      summary.push(`add volume ${srvDir(name)}/${p.sub} -> ${p.containerPath}`);
    }
  }
  checkNoNestedVolumes(vols);
  for (const v of vols) await checkVolumeOnMachine(ctx.exec, name, v);
  await checkSrvRoot(ctx.exec, name);
  d.volumes = vols.map(formatVolume);
  if (input.cmd !== undefined) {
    d.cmd = splitWords(input.cmd);
    summary.push(`command: ${d.cmd.length ? d.cmd.join(" ") : "(image default)"}`);
  }
  if (input.dependsOn?.length) {
    const deps = [...new Set([...(d.depends_on ?? []), ...input.dependsOn])].sort();
    checkDependsOn(state, name, deps);
    d.depends_on = deps;
  }
  if (input.restartPolicy) {
    if ((d.restart ?? "always") !== input.restartPolicy) summary.push(`restart policy ${d.restart ?? "always"} -> ${input.restartPolicy}`);
    d.restart = input.restartPolicy;
  }
  // drop empties
  for (const k of ["ports", "secret_env", "volumes", "cmd", "depends_on", "firewall_ports"] as const) if (!(d[k] as unknown[] | undefined)?.length) delete d[k];
  if (!Object.keys(d.environment ?? {}).length) delete d.environment;
  if (d.restart === "always") delete d.restart;
  checkDecl(name, d);
  sec.containers![name] = d;
  // firewall: ports no longer published are closed when this container opened them
  const published = new Set((d.ports ?? []).map(fwSpec).filter(Boolean).map((s) => fwLabel(s!)));
  const gone = (d.firewall_ports ?? []).filter((l) => !published.has(l));
  if (gone.length) {
    closeFirewallFor(state, name, gone, summary);
    d.firewall_ports = (d.firewall_ports ?? []).filter((l) => published.has(l));
    if (!d.firewall_ports.length) delete d.firewall_ports;
  }
  let opened: string[] = [];
  if (input.openFirewall) opened = openFirewallFor(state, d, summary, warnings);
  const files = [];
  if (d.secret_env?.length && (fresh.size || (input.removeSecret?.length ?? 0) > 0)) files.push(await secretFile(ctx, name, d.secret_env, fresh, true));
  const removals: string[] = [];
  if (!d.secret_env?.length && old.secret_env?.length) removals.push(credentialsFile(name));
  const commands: NonNullable<MutateResult["commands"]> = [];
  if (input.pull) {
    commands.push({ argv: [backend, "pull", d.image], privileged: true, description: `${backend} pull ${d.image}` });
    summary.push(`pull ${d.image}`);
    if (d.image === old.image && !ctx.flags.noRebuild) {
      const unit = unitName(backend, name);
      commands.push({ argv: ["systemctl", "try-restart", unit], privileged: true, description: `systemctl try-restart ${unit} (same tag, newer image)` });
    }
  }
  const vfolders = dataFolders(name, vols);
  return {
    summary: summary.length ? [`update container ${name}:`, ...summary.map((s) => `  ${s}`)] : [],
    data: describe(name, d, backend, opened),
    files,
    mkdirs: [...(d.secret_env?.length ? [{ path: CREDENTIALS_DIR, mode: 0o700 }] : []), ...vfolders.map((path) => ({ path, mode: 0o750 }))],
    removals,
    commands,
    warnings,
  };
}

export async function inventory(ctx: Ctx, dir: string, limit = 100_000): Promise<{ files: number; folders: number }> {
  let files = 0;
  let folders = 0;
  const stack = [dir];
  while (stack.length && files + folders < limit) {
    const cur = stack.pop()!;
    for (const e of await ctx.exec.readdir(cur)) {
      const p = `${cur}/${e}`;
      const st = await ctx.exec.stat(p);
      if (st?.type === "dir") {
        folders++;
        stack.push(p);
      } else files++;
    }
  }
  return { files, folders };
}

export async function applyRemove(state: State, input: RemoveInput, ctx: Ctx): Promise<MutateResult> {
  const { name, purge } = input;
  const all = declared(state);
  const d = all[name];
  const dataDir = srvDir(name);
  const creds = credentialsFile(name);
  const dataSt = await ctx.exec.stat(dataDir);
  const credSt = await ctx.exec.stat(creds);
  if (!d && !(purge && (dataSt || credSt))) {
    throw new NixiError("NOT_FOUND", `no container named ${JSON.stringify(name)} is declared${purge ? ` and ${dataDir} does not exist` : ""}`, "see `nixi container list`");
  }
  const users = dependents(state, name);
  if (d && users.length) throw new NixiError("INVALID_ARGUMENT", `${users.join(", ")} depend${users.length === 1 ? "s" : ""} on ${name}`, `remove ${users.length === 1 ? "it" : "them"} first, or update with a new --depends-on list`);
  const summary: string[] = [];
  const warnings: string[] = [];
  if (d) {
    const sec = section(state);
    delete sec.containers![name];
    if (Object.keys(sec.containers!).length === 0) delete sec.containers; // no empty [containers.containers] table
    summary.push(`remove container ${name} (${d.image}); its ${sec.backend ?? "podman"} unit stops with the rebuild`);
    if (d.firewall_ports?.length) closeFirewallFor(state, name, d.firewall_ports, summary);
  }
  const removals: string[] = [];
  const deleted: Array<{ path: string; files?: number; folders?: number }> = [];
  const kept: string[] = [];
  if (purge) {
    if (dataSt) {
      await checkSrvRoot(ctx.exec, name); // never follow a /srv/<name> symlink out of /srv
      if (dataSt.type !== "dir") throw new NixiError("PATH_OUTSIDE_SRV", `${dataDir} is not a folder; refusing to purge it`);
    }
    if (!ctx.flags.dryRun && !ctx.flags.yes) {
      if (!ctx.interactive) {
        // the engine will refuse without --yes (exit 3) after showing the plan
      } else {
        const typed = await ctx.prompter.input(`Deleting ${dataDir}/ for good. Type the container name (${name}) to confirm`);
        if (typed.trim() !== name) throw new NixiError("DECLINED", `the typed name did not match ${JSON.stringify(name)}: nothing was changed`);
      }
    }
    if (dataSt) {
      const inv = await inventory(ctx, dataDir);
      removals.push(dataDir);
      deleted.push({ path: dataDir, ...inv });
      summary.push(`DELETE ${dataDir}/ (${inv.files} file${inv.files === 1 ? "" : "s"}, ${inv.folders} folder${inv.folders === 1 ? "" : "s"})`);
    }
    if (credSt) {
      removals.push(creds);
      deleted.push({ path: creds });
      summary.push(`DELETE ${creds}`);
    }
    if (!dataSt && !credSt) summary.push(`nothing to purge: ${dataDir} does not exist`);
  } else {
    if (dataSt) kept.push(dataDir);
    if (credSt) kept.push(creds);
    if (kept.length) summary.push(`keep ${kept.join(" and ")} (\`nixi container remove ${name} --purge\` deletes ${kept.length > 1 ? "them" : "it"})`);
  }
  return { summary, data: { name, removed: !!d, purged: !!purge, deleted, kept }, removals, warnings };
}
