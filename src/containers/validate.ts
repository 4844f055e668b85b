// Pure validation for container inputs: names, image references, env keys, ports, restart policies.
// The validators are usable as ArgSpec/FlagSpec `schema` (a failing one is exit 2 naming the value);
// plain functions, not zod, so the transaction (which checks declarations with these) never loads zod.
import { checked } from "../core/check.js";
import { isSecretName } from "../core/secret-names.js";

/** Container name: also the systemd unit suffix, the DNS name on the nixi network and /srv/<name>/. */
export const NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws the message when `ok` is false; returns the value. */
const ensure = <T>(ok: boolean, value: T, message: string): T => {
  if (!ok) throw new Error(message);
  return value;
};

export const ContainerName = checked((s) =>
  ensure(NAME_RE.test(s) && s !== "." && !s.includes(".."), s, "container names are 1-63 characters: lowercase letters, digits, '_', '.', '-', starting with a letter or digit"),
);

// Docker/OCI image reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest]
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const IMAGE_RE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

export interface ImageParts {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** Parse an image reference; null when it is not one. The first component counts as a domain only
 *  when it has a '.' or ':' or is "localhost" (as docker decides). */
export function parseImageRef(ref: string): ImageParts | null {
  if (typeof ref !== "string" || ref.length === 0 || ref.length > 255 + 200) return null;
  const m = IMAGE_RE.exec(ref);
  if (!m) {
    // "Registry/Path" where the first part has uppercase (domain) is matched above; anything else fails.
    return null;
  }
  let [, domain, path, tag, digest] = m;
  if (domain && !/[.:]/.test(domain) && domain !== "localhost" && !domain.startsWith("[")) {
    // looks like "user/repo": the first part is a path component, which must be lowercase
    if (!new RegExp(`^${PATH_COMPONENT}$`).test(domain)) return null;
    path = `${domain}/${path}`;
    domain = undefined as any;
  }
  if ((domain ? domain.length + 1 : 0) + path.length > 255) return null;
  return { domain: domain || undefined, path, tag: tag || undefined, digest: digest || undefined };
}

export const ImageRef = checked((s) =>
  ensure(parseImageRef(s) !== null, s, "not a valid image reference (expected [registry/]name[:tag][@sha256:digest], e.g. nginx:1.27 or ghcr.io/owner/app:v1)"),
);

export const EnvKey = checked((s) => ensure(ENV_KEY_RE.test(s), s, "environment variable names are letters, digits and '_', not starting with a digit"));

/** K=V; the value may be empty but may not contain a NUL byte. */
export const EnvPair = checked((s) => {
  const i = s.indexOf("=");
  ensure(i > 0 && ENV_KEY_RE.test(s.slice(0, i)) && !s.includes("\0"), s, "expected KEY=VALUE with KEY made of letters, digits and '_'");
  return { key: s.slice(0, i), value: s.slice(i + 1) };
});

export type Proto = "tcp" | "udp";

export interface PortMapping {
  /** Host address to bind (IPv4 like 127.0.0.1, or an IPv6 literal without brackets). */
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  proto: Proto;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+$/;

function portNumber(s: string): number | null {
  if (!/^[0-9]{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : null;
}

/** [IP:]HOST:CONTAINER[/tcp|/udp]; IPv6 addresses in brackets: [::1]:8080:80. */
export function parsePort(spec: string): PortMapping | null {
  if (typeof spec !== "string" || spec.length > 80) return null;
  let rest = spec;
  let proto: Proto = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== "tcp" && p !== "udp") return null;
    proto = p;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]:");
    if (close < 0) return null;
    hostIp = rest.slice(1, close);
    if (!IPV6.test(hostIp) || !hostIp.includes(":")) return null;
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(":");
  if (!hostIp && parts.length === 3) {
    hostIp = parts.shift()!;
    if (!IPV4.test(hostIp)) return null;
  }
  if (parts.length !== 2) return null;
  const hostPort = portNumber(parts[0]);
  const containerPort = portNumber(parts[1]);
  if (hostPort === null || containerPort === null) return null;
  return { hostIp, hostPort, containerPort, proto };
}

export function formatPort(p: PortMapping): string {
  const ip = p.hostIp ? (p.hostIp.includes(":") ? `[${p.hostIp}]:` : `${p.hostIp}:`) : "";
  return `${ip}${p.hostPort}:${p.containerPort}/${p.proto}`;
}

/** Loopback-bound ports are not reachable from the network: no firewall opening needed. */
export const isLoopbackBinding = (p: PortMapping) => !!p.hostIp && (p.hostIp.startsWith("127.") || p.hostIp === "::1");

export const PortSpec = checked((s) => {
  const p = parsePort(s);
  if (!p) throw new Error("expected HOST:CONTAINER[/tcp|/udp] (optionally IP:HOST:CONTAINER), ports 1-65535, e.g. 8080:80 or 127.0.0.1:5432:5432");
  return formatPort(p);
});

export const RESTART_POLICIES = ["always", "unless-stopped", "on-failure", "no"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const BACKENDS = ["podman", "docker"] as const;
export type Backend = (typeof BACKENDS)[number];

/** Environment variables that usually hold secrets (analyze turns them into --env-secret; deploy warns). */
export const looksSecret = (key: string) => isSecretName(key);
