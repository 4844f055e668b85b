import { defineCommand } from "../../core/command.js";
import { ContainerName, ImageRef, EnvKey, EnvPair, PortSpec, RESTART_POLICIES, BACKENDS } from "../../containers/validate.js";

export default defineCommand<any, any>({
  path: ["container", "deploy"],
  summary: "Declare a container (virtualisation.oci-containers) on the nixi network, data under /srv/<name>/",
  description:
    "Writes containers.nix from state.toml and rebuilds once. Volumes are SUBDIR:CONTAINER_PATH with SUBDIR inside /srv/<name>/ " +
    "(anything resolving outside is refused, exit 4). Secret values come from a masked prompt, --env-file, or stdin and are written " +
    "only to /srv/.credentials/<name>.env (mode 600). --port publishes on 127.0.0.1 unless --public; a port published on all addresses is reachable from the network whatever the NixOS firewall says (podman and docker add their own forwarding rules), and --open-firewall only lists it in the host firewall too. Databases, caches, brokers and engine APIs on --public are refused without --insecure.",
  risk: "change",
  args: [{ name: "name", description: "container name (also its DNS name on the nixi network)", schema: ContainerName }],
  flags: {
    image: { type: "string", description: "image reference, e.g. nginx:1.27 or ghcr.io/owner/app:v1", placeholder: "image", schema: ImageRef },
    port: { type: "list", short: "p", description: "publish HOST:CONTAINER[/udp] on 127.0.0.1 (repeatable; --public: all addresses; IP:HOST:CONTAINER binds one address)", placeholder: "host:ctr", schema: PortSpec },
    public: { type: "boolean", description: "publish --port on all addresses (reachable from the network: published ports bypass the NixOS firewall)" },
    env: { type: "list", short: "e", description: "environment KEY=VALUE (repeatable; stored in state.toml: not for secrets)", placeholder: "K=V", schema: EnvPair },
    "env-secret": { type: "list", description: "secret variable KEY: value from a masked prompt, --env-file, or stdin (repeatable)", placeholder: "KEY", schema: EnvKey },
    "env-file": { type: "string", description: "read secret KEY=VALUE lines from FILE (- for stdin)", placeholder: "file", hiddenFromAsk: true },
    volume: { type: "list", description: "SUBDIR:CONTAINER_PATH[:ro] with SUBDIR under /srv/<name>/ (repeatable)", placeholder: "sub:path" },
    cmd: { type: "string", description: "command and arguments for the image's entrypoint (quoted like a shell line, nothing expanded)", placeholder: "command" },
    "depends-on": { type: "list", description: "start after this declared container (repeatable)", placeholder: "name", schema: ContainerName },
    "restart-policy": { type: "string", description: "always (default), unless-stopped, on-failure or no", placeholder: "policy", choices: RESTART_POLICIES },
    "open-firewall": { type: "boolean", description: "also list the published ports in the host's NixOS firewall (host firewall only: published ports bypass it anyway)" },
    backend: { type: "string", description: "podman or docker (default: what the node has; podman when both or none)", placeholder: "backend", choices: BACKENDS },
  },
  examples: [
    "nixi container deploy web --image nginx:1.27 --port 8080:80 --volume html:/usr/share/nginx/html:ro",
    "nixi container deploy db --image postgres:16 --env-secret POSTGRES_PASSWORD --volume data:/var/lib/postgresql/data",
    "printf %s \"$PW\" | nixi container deploy db --image postgres:16 --env-secret POSTGRES_PASSWORD --yes",
    "nixi container deploy app --image ghcr.io/acme/app:2 --port 8000:8000 --public --depends-on db --open-firewall",
  ],
  jsonFields: ["name", "image", "backend", "unit", "network", "ports", "environment", "secretEnv", "credentialsFile", "volumes", "dataDir", "firewallOpened"],
  async mutate(state, input, ctx) {
    const { NixiError } = await import("../../core/errors.js");
    if (!input.image) throw new NixiError("INVALID_ARGUMENT", "--image is required", "e.g. nixi container deploy web --image nginx:1.27");
    const { applyDeploy } = await import("../../containers/mutations.js");
    return applyDeploy(state, input, ctx);
  },
});
