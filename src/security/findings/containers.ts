// Findings about containers: services that must never face the network published on all addresses,
// secrets in plain --env values, and container options that hand over the host (privileged, host
// network, the engine's socket, /). nixi's own flags cannot produce the last group (volumes stay
// under /srv/<name>/), but `config set virtualisation.oci-containers...` can.
import type { State } from "../../nixos/state.js";
import type { Finding } from "../../core/findings.js";
import { declared } from "../../containers/state.js";
import { parsePort, parseImageRef, isLoopbackBinding, formatPort } from "../../containers/validate.js";
import { isSecretName } from "../../core/secret-names.js";
import { redact } from "../../core/redact.js";
import { optionsMatching } from "./option-lookup.js";

/** Ports of services that have no or weak authentication by default. */
export const RISKY_PORTS: Record<number, string> = {
  5432: "PostgreSQL", 3306: "MySQL/MariaDB", 6379: "Redis", 11211: "memcached", 27017: "MongoDB",
  9200: "Elasticsearch", 9300: "Elasticsearch transport", 5672: "RabbitMQ", 15672: "RabbitMQ admin console",
  2375: "Docker API (plain)", 2376: "Docker API (TLS)", 8500: "Consul", 5984: "CouchDB", 9042: "Cassandra",
  8086: "InfluxDB", 2379: "etcd",
};
/** Image names (last path component) of such services. */
export const RISKY_IMAGES = ["postgres", "postgis", "mysql", "mariadb", "redis", "valkey", "memcached", "mongo", "mongodb", "elasticsearch", "opensearch", "rabbitmq", "consul", "couchdb", "cassandra", "influxdb", "etcd", "docker"];

export function riskyImage(image: string): string | null {
  const p = parseImageRef(image);
  if (!p) return null;
  const last = p.path.split("/").pop()!;
  return RISKY_IMAGES.find((r) => last === r || last.startsWith(`${r}-`)) ?? null;
}

/** A published port reachable from other machines: no address (all) or a non-loopback one. */
export const exposedPort = (spec: string) => {
  const m = parsePort(spec);
  return m && !isLoopbackBinding(m) ? m : null;
};

export function containerFindings(state: State): Finding[] {
  const out: Finding[] = [];
  for (const [name, d] of Object.entries(declared(state))) {
    const image = typeof d?.image === "string" ? d.image : "";
    const img = riskyImage(image);
    for (const p of Array.isArray(d?.ports) ? d.ports : []) {
      const m = exposedPort(p);
      if (!m) continue;
      const svc = RISKY_PORTS[m.containerPort] ?? RISKY_PORTS[m.hostPort] ?? (img ? `${img} (image ${image})` : null);
      if (!svc) continue;
      const local = formatPort({ ...m, hostIp: "127.0.0.1" });
      out.push({
        id: "container-risky-port-public",
        what: `publish ${svc} of container ${name} on ${m.hostIp ?? "all addresses"} (port ${m.hostPort}/${m.proto})`,
        why: "databases, caches, search engines, brokers and engine APIs expect a trusted network; published ports bypass the NixOS firewall",
        alternative: `nixi container update ${name} --remove-port ${p} --port ${local} (other containers reach it as ${name}:${m.containerPort} on the nixi network)`,
      });
    }
    for (const [k, v] of Object.entries(d?.environment ?? {})) {
      if (typeof v !== "string" || v === "") continue;
      if (isSecretName(k) || redact(v) !== v) {
        out.push({
          id: "container-env-secret",
          what: `put ${k} of container ${name} in plain text (--env)`,
          why: "--env values are stored in state.toml and the world-readable Nix store",
          alternative: `nixi container update ${name} --unset-env ${k} --env-secret ${k} (value from a masked prompt, stored in /srv/.credentials/${name}.env, mode 600)`,
        });
      }
    }
  }
  // container options set through `config set`
  const HOST_TAKEOVER: Array<[RegExp, string]> = [
    [/^--privileged(=true)?$/, "a privileged container (all capabilities, all devices)"],
    [/^--(network|net)[= ]host$/, "the host's network namespace"],
    [/^--(pid|ipc|userns|uts)[= ]host$/, "a host namespace"],
    [/^--cap-add[= ](ALL|SYS_ADMIN|NET_ADMIN|SYS_PTRACE|SYS_MODULE)$/i, "a capability that reaches the host"],
    [/^--security-opt[= ](seccomp|apparmor|label)[=:](unconfined|disable)$/, "switching confinement off"],
  ];
  for (const e of optionsMatching(state, "virtualisation.oci-containers.containers.*.extraOptions")) {
    for (const o of Array.isArray(e.value) ? e.value : []) {
      const hit = typeof o === "string" && HOST_TAKEOVER.find(([re]) => re.test(o.trim()));
      if (hit) out.push({ id: "container-host-access", what: `container ${e.path[3]} gets ${hit[1]} (${o})`, why: "a process in the container can take over the host", alternative: "drop the option; give the container only a volume under /srv/<name>/ and the ports it serves" });
    }
  }
  for (const e of optionsMatching(state, "virtualisation.oci-containers.containers.*.volumes")) {
    for (const v of Array.isArray(e.value) ? e.value : []) {
      if (typeof v !== "string") continue;
      const host = v.split(":")[0];
      if (/(^|\/)(docker|podman)\.sock$/.test(host) || host === "/" || /^\/(etc|root|proc|sys|boot|nix|var\/run|run)\/?$/.test(host)) {
        out.push({ id: "container-host-access", what: `container ${e.path[3]} mounts ${host}`, why: host.endsWith(".sock") ? "the container engine's socket is root on the host" : "the container can read or change the host's system files", alternative: `nixi container deploy ${e.path[3]} --volume SUBDIR:PATH (data under /srv/${e.path[3]}/ only)` });
      }
    }
  }
  return out;
}
