import { defineCommand } from "../../core/command.js";

export interface ContainerRow {
  name: string;
  image: string;
  state: string;
  ports: string[];
  /** Seconds since the container started (running containers). */
  uptimeSeconds: number | null;
  startedAt: string | null;
  declared: boolean;
  /** Image declared in state.toml, when it differs from the running one. */
  declaredImage: string | null;
}

export function formatUptime(s: number | null): string {
  if (s === null || s < 0) return "-";
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(s)}s`;
}

export default defineCommand<Record<string, never>, { backend: string | null; containers: ContainerRow[] }>({
  path: ["container", "list"],
  summary: "List containers: declared by nixi (state.toml) and present in the runtime",
  risk: "read",
  examples: ["nixi container list", "nixi container list --json"],
  jsonFields: ["backend", "containers"],
  async run(ctx) {
    const { loadState } = await import("../../nixos/transaction.js");
    const { declared } = await import("../../containers/state.js");
    const { detectBackend, runtimeFor } = await import("../../containers/runtime.js");
    const state = await loadState(ctx);
    const decls = declared(state);
    const backend = await detectBackend(ctx.exec, (state.containers as any)?.backend);
    const rows = new Map<string, ContainerRow>();
    if (backend) {
      try {
        for (const c of await runtimeFor(backend, ctx.exec).list()) {
          const started = c.startedAt ? Date.parse(c.startedAt) : NaN;
          rows.set(c.name, {
            name: c.name,
            image: c.image,
            state: c.state,
            ports: c.ports,
            uptimeSeconds: c.state === "running" && Number.isFinite(started) ? Math.max(0, Math.round((ctx.clock().getTime() - started) / 1000)) : null,
            startedAt: c.startedAt ?? null,
            declared: false,
            declaredImage: null,
          });
        }
      } catch (e: any) {
        ctx.warn(`could not list ${backend} containers: ${e.message}`);
      }
    } else ctx.warn("neither podman nor docker is installed on this node: showing declared containers only");
    for (const [name, d] of Object.entries(decls)) {
      const row = rows.get(name);
      if (row) {
        row.declared = true;
        if (row.image !== d.image && !row.image.endsWith("/" + d.image) && !row.image.endsWith("/library/" + d.image)) row.declaredImage = d.image;
      } else {
        rows.set(name, { name, image: d.image, state: "not created", ports: d.ports ?? [], uptimeSeconds: null, startedAt: null, declared: true, declaredImage: null });
      }
    }
    return { backend, containers: [...rows.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  },
  render(data, out) {
    if (!data.containers.length) {
      out.line("no containers");
      return;
    }
    out.table(data.containers, [
      { key: "name", header: "NAME" },
      { key: "image", header: "IMAGE", format: (v, r) => (r.declaredImage ? `${v} (declared: ${r.declaredImage})` : v) },
      { key: "state", header: "STATE", format: (v) => (v === "running" ? out.style.ok(v) : v === "not created" || v === "exited" ? out.style.warn(v) : v) },
      { key: "ports", header: "PORTS", format: (v: string[]) => v.join(", ") || "-" },
      { key: "uptimeSeconds", header: "UPTIME", format: (v) => formatUptime(v) },
      { key: "declared", header: "DECLARED", format: (v) => (v ? "yes" : out.style.dim("no")) },
    ]);
  },
});
