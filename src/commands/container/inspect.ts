import { defineCommand } from "../../core/command.js";
import { ContainerName } from "../../containers/validate.js";

export default defineCommand<{ name: string }, any>({
  path: ["container", "inspect"],
  summary: "Show one container: its declaration and its runtime state (environment values redacted)",
  risk: "read",
  args: [{ name: "name", description: "container name", schema: ContainerName }],
  examples: ["nixi container inspect web", "nixi container inspect web --json"],
  jsonFields: ["name", "backend", "declared", "runtime"],
  async run(ctx, { name }) {
    const { loadState } = await import("../../nixos/transaction.js");
    const { declared } = await import("../../containers/state.js");
    const { detectBackend, runtimeFor } = await import("../../containers/runtime.js");
    const { credentialsFile, srvDir } = await import("../../containers/volumes.js");
    const { NixiError } = await import("../../core/errors.js");
    const state = await loadState(ctx);
    const d = declared(state)[name];
    const backend = await detectBackend(ctx.exec, (state.containers as any)?.backend);
    const runtime = backend ? await runtimeFor(backend, ctx.exec).inspect(name) : null;
    if (!d && !runtime) throw new NixiError("NOT_FOUND", `no container named ${JSON.stringify(name)} (not declared, not in ${backend ?? "any runtime"})`, "see `nixi container list`");
    return {
      name,
      backend,
      declared: d
        ? {
            image: d.image,
            ports: d.ports ?? [],
            environment: Object.fromEntries(Object.keys(d.environment ?? {}).sort().map((k) => [k, "<redacted>"])),
            secretEnv: d.secret_env ?? [],
            credentialsFile: d.secret_env?.length ? credentialsFile(name) : null,
            volumes: d.volumes ?? [],
            dataDir: srvDir(name),
            cmd: d.cmd ?? [],
            dependsOn: d.depends_on ?? [],
            restart: d.restart ?? "always",
            firewallPorts: d.firewall_ports ?? [],
          }
        : null,
      runtime,
    };
  },
  render(data, out) {
    const r = data.runtime;
    const d = data.declared;
    out.kv([
      ["name", data.name],
      ["backend", data.backend ?? "-"],
      ["declared", d ? "yes" : "no"],
      ["image", r?.image ?? d?.image],
      ...(d && r && d.image !== r.image ? ([["declared image", d.image]] as Array<[string, unknown]>) : []),
      ["state", r ? r.state : "not created"],
      ["started", r?.startedAt ?? "-"],
      ["restarts", r?.restartCount ?? "-"],
      ["ports", (r?.ports ?? d?.ports ?? []).join(", ") || "-"],
      ["networks", (r?.networks ?? []).join(", ") || "-"],
      ["mounts", (r?.mounts ?? []).map((m: any) => `${m.source} -> ${m.destination}${m.readOnly ? " (ro)" : ""}`).join(", ") || (d?.volumes ?? []).join(", ") || "-"],
      ["environment", Object.keys(r?.env ?? d?.environment ?? {}).map((k) => `${k}=<redacted>`).join(" ") || "-"],
      ["secrets", d?.secretEnv?.length ? `${d.secretEnv.join(", ")} (in ${d.credentialsFile})` : "-"],
      ["command", (r?.cmd ?? d?.cmd ?? []).join(" ") || "-"],
      ["depends on", (d?.dependsOn ?? []).join(", ") || "-"],
      ["restart", d?.restart ?? "-"],
    ]);
  },
});
