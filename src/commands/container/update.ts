import { defineCommand } from "../../core/command.js";
import { ContainerName, ImageRef, EnvKey, EnvPair, PortSpec, RESTART_POLICIES } from "../../containers/validate.js";

export default defineCommand<any, any>({
  path: ["container", "update"],
  summary: "Change a declared container: image, ports, environment, secrets, volumes, command, restart policy",
  risk: "change",
  args: [{ name: "name", description: "container name", schema: ContainerName }],
  flags: {
    image: { type: "string", description: "new image reference", placeholder: "image", schema: ImageRef },
    pull: { type: "boolean", description: "pull the image now (and restart the unit when the tag did not change)" },
    port: { type: "list", short: "p", description: "also publish HOST:CONTAINER[/udp] on 127.0.0.1 (repeatable; --public: all addresses)", placeholder: "host:ctr", schema: PortSpec },
    public: { type: "boolean", description: "publish the new --port values on all addresses (published ports bypass the NixOS firewall)" },
    "remove-port": { type: "list", description: "stop publishing this HOST:CONTAINER[/proto] (repeatable)", placeholder: "host:ctr", schema: PortSpec },
    env: { type: "list", short: "e", description: "set KEY=VALUE (repeatable)", placeholder: "K=V", schema: EnvPair },
    "unset-env": { type: "list", description: "remove a variable (repeatable)", placeholder: "KEY", schema: EnvKey },
    "env-secret": { type: "list", description: "set a secret variable: value from a masked prompt, --env-file, or stdin (repeatable)", placeholder: "KEY", schema: EnvKey },
    "env-file": { type: "string", description: "read secret KEY=VALUE lines from FILE (- for stdin)", placeholder: "file", hiddenFromAsk: true },
    "remove-secret": { type: "list", description: "remove a secret variable (repeatable)", placeholder: "KEY", schema: EnvKey },
    volume: { type: "list", description: "add SUBDIR:CONTAINER_PATH[:ro] under /srv/<name>/ (repeatable)", placeholder: "sub:path" },
    cmd: { type: "string", description: "replace the command (\"\" for the image default)", placeholder: "command" },
    "depends-on": { type: "list", description: "also start after this declared container (repeatable)", placeholder: "name", schema: ContainerName },
    "restart-policy": { type: "string", description: "always, unless-stopped, on-failure or no", placeholder: "policy", choices: RESTART_POLICIES },
    "open-firewall": { type: "boolean", description: "also list the published ports in the host's NixOS firewall (host firewall only: published ports bypass it anyway)" },
  },
  examples: ["nixi container update web --image nginx:1.28", "nixi container update web --pull", "nixi container update db --env-secret POSTGRES_PASSWORD"],
  jsonFields: ["name", "image", "backend", "unit", "ports", "environment", "secretEnv", "volumes", "firewallOpened"],
  async mutate(state, input, ctx) {
    const { applyUpdate } = await import("../../containers/mutations.js");
    return applyUpdate(state, input, ctx);
  },
});
