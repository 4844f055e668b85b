// Area "containers": state.toml [containers] -> containers.nix.
// virtualisation.oci-containers (backend + one entry per container, all on the `nixi` network),
// a oneshot service creating that network (idempotent) which every container unit is ordered after,
// systemd.tmpfiles rules for /srv/<name>/... and the restart policy of the generated units.
import type { Area } from "../areas.js";
import { mkForce, NixCall, NixRef, type NixValue } from "../render.js";
import type { State } from "../state.js";
import { NETWORK, NETWORK_UNIT, type ContainersSection, type ContainerDecl } from "../../containers/state.js";
import { credentialsFile, dataFolders, startCheckCommand, formatVolume, parseVolume, srvDir, CREDENTIALS_DIR } from "../../containers/volumes.js";
import { checkDecl } from "../../containers/state.js";
import { NixiError } from "../../core/errors.js";

type Body = { [key: string]: NixValue | undefined };


/** systemd Restart= for a docker-style restart policy. oci-containers sets Restart=always itself. */
export function systemdRestart(policy: string | undefined): string | null {
  switch (policy ?? "always") {
    case "always":
    case "unless-stopped": // a unit stopped with systemctl stays stopped: the same thing under systemd
      return null;
    case "on-failure":
      return "on-failure";
    case "no":
      return "no";
    default:
      return null;
  }
}

function containerEntry(name: string, d: ContainerDecl): Body {
  const vols = (d.volumes ?? []).map((v) => {
    const p = parseVolume(v);
    return `${srvDir(name)}/${formatVolume(p)}`;
  });
  const env = d.environment && Object.keys(d.environment).length ? d.environment : undefined;
  return {
    image: d.image,
    ports: d.ports?.length ? [...d.ports] : undefined,
    environment: env ? { ...env } : undefined,
    environmentFiles: d.secret_env?.length ? [credentialsFile(name)] : undefined,
    volumes: vols.length ? vols : undefined,
    cmd: d.cmd?.length ? [...d.cmd] : undefined,
    dependsOn: d.depends_on?.length ? [...d.depends_on].sort() : undefined,
    extraOptions: [`--network=${NETWORK}`],
  };
}

export function renderContainers(section: ContainersSection | undefined): Body | null {
  const all = section?.containers ?? {};
  const names = Object.keys(all).sort();
  if (names.length === 0) return null;
  if (section?.backend !== undefined && section.backend !== "podman" && section.backend !== "docker") {
    throw new NixiError("STATE_INVALID", `state.toml: containers.backend must be "podman" or "docker", not ${JSON.stringify(section.backend)}`);
  }
  const backend = section?.backend === "docker" ? "docker" : "podman";
  const owner = typeof section?.data_owner === "string" && /^[a-z_][a-z0-9_-]*$/.test(section.data_owner) ? section.data_owner : "nixi";
  const containers: Body = {};
  const services: Body = {};
  const rules: string[] = [];
  let anySecret = false;
  for (const name of names) {
    const d = checkDecl(name, all[name]);
    containers[name] = containerEntry(name, d);
    const restart = systemdRestart(d.restart);
    const vols = (d.volumes ?? []).map(parseVolume);
    const serviceConfig: Body = {};
    if (restart) serviceConfig.Restart = mkForce(restart);
    // after oci-containers' own pre-start script (which removes the old container): the volume check holds at start time
    if (vols.length) serviceConfig.ExecStartPre = new NixCall("lib.mkAfter", [startCheckCommand(name, vols)]);
    services[`${backend}-${name}`] = {
      after: [`${NETWORK_UNIT}.service`],
      serviceConfig: Object.keys(serviceConfig).length ? serviceConfig : undefined,
    };
    for (const dir of dataFolders(name, vols)) rules.push(`d ${dir} 0750 ${owner} ${owner} -`);
    if (d.secret_env?.length) anySecret = true;
  }
  if (anySecret) rules.unshift(`d ${CREDENTIALS_DIR} 0700 root root -`);
  const cli = backend;
  services[NETWORK_UNIT] = {
    description: `Create the ${backend} network "${NETWORK}" shared by nixi's containers`,
    after: backend === "docker" ? ["docker.service", "docker.socket"] : ["network.target"],
    wantedBy: ["multi-user.target", ...names.map((n) => `${backend}-${n}.service`)],
    path: [new NixRef("pkgs", backend)],
    serviceConfig: { Type: "oneshot", RemainAfterExit: true },
    script: `${cli} network inspect ${NETWORK} >/dev/null 2>&1 || ${cli} network create ${NETWORK}\n`,
  };
  return {
    virtualisation: { "oci-containers": { backend, containers } },
    systemd: { services, tmpfiles: { rules } },
  };
}

export const containersArea: Area = {
  key: "containers",
  file: "containers.nix",
  render(section: ContainersSection | undefined, _state: State) {
    return renderContainers(section);
  },
};
