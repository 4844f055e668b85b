// The [containers] table of state.toml, owned by the container commands:
//
//   [containers]
//   backend = "podman"            # or "docker"; matches the node
//   data_owner = "nixi"           # owner of /srv/<name>/ folders (systemd.tmpfiles)
//   [containers.containers.web]
//   image = "nginx:1.27"
//   ports = ["8080:80/tcp"]
//   environment = { TZ = "UTC" }
//   secret_env = ["DB_PASSWORD"]  # names only; values live in /srv/.credentials/web.env (mode 600)
//   volumes = ["html:/usr/share/nginx/html:ro"]   # host side relative to /srv/web/
//   cmd = ["nginx", "-g", "daemon off;"]
//   depends_on = ["db"]
//   restart = "always"
//   firewall_ports = ["8080/tcp"] # ports this container opened with --open-firewall
import type { State } from "../nixos/state.js";
import { NixiError } from "../core/errors.js";
import { NAME_RE, ENV_KEY_RE, parseImageRef, parsePort, RESTART_POLICIES, type Backend, type RestartPolicy } from "./validate.js";
import { checkNoNestedVolumes, parseVolume } from "./volumes.js";

export const NETWORK = "nixi";
export const NETWORK_UNIT = "nixi-network";

export interface ContainerDecl {
  image: string;
  ports?: string[];
  environment?: Record<string, string>;
  secret_env?: string[];
  volumes?: string[];
  cmd?: string[];
  depends_on?: string[];
  restart?: RestartPolicy;
  firewall_ports?: string[];
}

export interface ContainersSection {
  backend?: Backend;
  data_owner?: string;
  containers?: Record<string, ContainerDecl>;
}

/** The section of a state draft, created when missing. */
export function section(state: State): ContainersSection {
  const s = (state.containers ??= {}) as ContainersSection;
  if (typeof s !== "object" || Array.isArray(s)) throw new NixiError("STATE_INVALID", "state.toml: [containers] must be a table");
  s.containers ??= {};
  return s;
}

export function declared(state: State): Record<string, ContainerDecl> {
  const s = state.containers as ContainersSection | undefined;
  return s && typeof s === "object" && s.containers && typeof s.containers === "object" ? s.containers : {};
}

export function requireDeclared(state: State, name: string): ContainerDecl {
  const d = declared(state)[name];
  if (!d) throw new NixiError("NOT_FOUND", `no container named ${JSON.stringify(name)} is declared in state.toml`, "see `nixi container list`; deploy it with `nixi container deploy`");
  return d;
}

/** Containers whose depends_on names `name`. */
export const dependents = (state: State, name: string) =>
  Object.entries(declared(state))
    .filter(([n, d]) => n !== name && (d.depends_on ?? []).includes(name))
    .map(([n]) => n)
    .sort();

/**
 * Validate one declaration as read from state.toml (which people may edit by hand): every value the
 * renderer puts into Nix or into a tmpfiles line must be well-formed. Throws STATE_INVALID (or
 * PATH_OUTSIDE_SRV for a volume leaving /srv/<name>/).
 */
export function checkDecl(name: string, d: unknown): ContainerDecl {
  const v = { NAME_RE, ENV_KEY_RE, parseImageRef, parsePort, RESTART_POLICIES, parseVolume };
  const bad = (what: string) => new NixiError("STATE_INVALID", `state.toml: [containers.containers.${JSON.stringify(name)}]: ${what}`, "fix state.toml by hand, or use `nixi container update`");
  if (!v.NAME_RE.test(name)) throw bad("invalid container name");
  if (!d || typeof d !== "object" || Array.isArray(d)) throw bad("must be a table");
  const o = d as any;
  if (typeof o.image !== "string" || !v.parseImageRef(o.image)) throw bad(`image ${JSON.stringify(o.image)} is not a valid image reference`);
  const strList = (k: string) => {
    if (o[k] === undefined) return;
    if (!Array.isArray(o[k]) || o[k].some((x: unknown) => typeof x !== "string" || x.includes("\0"))) throw bad(`${k} must be a list of strings`);
  };
  for (const k of ["ports", "secret_env", "volumes", "cmd", "depends_on", "firewall_ports"]) strList(k);
  for (const p of o.ports ?? []) if (!v.parsePort(p)) throw bad(`port ${JSON.stringify(p)} is not HOST:CONTAINER[/proto]`);
  for (const k of o.secret_env ?? []) if (!v.ENV_KEY_RE.test(k)) throw bad(`secret_env name ${JSON.stringify(k)} is not a valid variable name`);
  for (const n of o.depends_on ?? []) if (!v.NAME_RE.test(n)) throw bad(`depends_on name ${JSON.stringify(n)} is not a valid container name`);
  const vols = (o.volumes ?? []).map(v.parseVolume);
  try {
    checkNoNestedVolumes(vols);
  } catch (e: any) {
    throw bad(e.message);
  }
  if (o.environment !== undefined) {
    if (!o.environment || typeof o.environment !== "object" || Array.isArray(o.environment)) throw bad("environment must be a table");
    for (const [k, val] of Object.entries(o.environment)) {
      if (!v.ENV_KEY_RE.test(k)) throw bad(`environment name ${JSON.stringify(k)} is not a valid variable name`);
      if (typeof val !== "string" || val.includes("\0")) throw bad(`environment ${k} must be a string`);
    }
  }
  if (o.restart !== undefined && !(v.RESTART_POLICIES as readonly string[]).includes(o.restart)) throw bad(`restart must be one of ${v.RESTART_POLICIES.join(", ")}`);
  return o as ContainerDecl;
}
