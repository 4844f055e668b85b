import { defineCommand } from "../../core/command.js";
import type { NodeEntry } from "../../core/config.js";

export interface NodeRow {
  name: string;
  host: string;
  user: string;
  port: number | null;
  mode: "controller" | "managed" | "monitored";
  status: "online" | "unreachable" | "auth-failed" | "host-key-changed" | "error";
  nixosVersion: string | null;
  /** Why the node is not online. */
  error?: string;
  /** Probe time in milliseconds. */
  ms: number;
}

const STATUS: Record<string, NodeRow["status"]> = {
  UNREACHABLE: "unreachable",
  AUTH_FAILED: "auth-failed",
  HOST_KEY_CHANGED: "host-key-changed",
};

export default defineCommand<Record<string, never>, NodeRow[]>({
  path: ["node", "list"],
  summary: "List the controller and the nodes, probed over SSH in parallel",
  description:
    "One row per machine, the controller first: NAME HOST USER MODE STATUS (online, unreachable, auth-failed, host-key-changed) and the NixOS version when online. " +
    "Nodes are probed in parallel (--parallel, default [ssh] parallel = 10); a dead node costs at most the connect timeout.",
  risk: "read",
  controllerOnly: true,
  examples: ["nixi node list", "nixi node list --json", "nixi node list --parallel 32"],
  jsonFields: ["name", "host", "user", "port", "mode", "status", "nixosVersion", "error", "ms"],

  async run(ctx) {
    const { mapPool } = await import("../../core/pool.js");
    const { sshExecutor } = await import("../../exec/targets.js");
    const { NixiError } = await import("../../core/errors.js");
    const { hostname, userInfo } = await import("node:os");

    const probeLocal = async (): Promise<NodeRow> => {
      const t0 = Date.now();
      const r = await ctx.exec.run(["nixos-version"], { readOnly: true, timeoutMs: 10_000 }).catch(() => null);
      let user = ctx.env.USER ?? "";
      try {
        user = userInfo().username;
      } catch {
        /* no passwd entry */
      }
      return { name: "local", host: hostname(), user, port: null, mode: "controller", status: "online", nixosVersion: r && r.exitCode === 0 ? r.stdout.trim() || null : null, ms: Date.now() - t0 };
    };

    const probe = async (n: NodeEntry): Promise<NodeRow> => {
      const t0 = Date.now();
      const base = { name: n.name, host: n.host, user: n.user, port: n.port, mode: n.mode };
      const ex = await sshExecutor(n, ctx.config, ctx.env, ctx.debug);
      try {
        // read-only and on the monitored allow-list, so the same probe suits every mode
        const r = await ex.run(["nixos-version"], { readOnly: true, timeoutMs: ctx.config.ssh.connectTimeoutSeconds * 1000 + 10_000 });
        const version = r.exitCode === 0 ? r.stdout.trim() || null : null;
        return { ...base, status: "online", nixosVersion: version, ...(r.exitCode === 0 ? {} : { error: r.notFound ? "nixos-version not found: not a NixOS machine?" : r.stderr.trim().split("\n").pop() }), ms: Date.now() - t0 };
      } catch (e) {
        const err = e instanceof NixiError ? e : new NixiError("FAILED", String((e as Error)?.message ?? e));
        return { ...base, status: STATUS[err.code] ?? "error", nixosVersion: null, error: err.message, ms: Date.now() - t0 };
      } finally {
        await ex.close().catch(() => {});
      }
    };

    const parallel = ctx.flags.parallel ?? ctx.config.ssh.parallel;
    const [local, remote] = await Promise.all([probeLocal(), mapPool(ctx.config.nodes, parallel, probe)]);
    return [local, ...remote.map((r, i) => (r.ok ? r.value : { name: ctx.config.nodes[i].name, host: ctx.config.nodes[i].host, user: ctx.config.nodes[i].user, port: ctx.config.nodes[i].port, mode: ctx.config.nodes[i].mode, status: "error" as const, nixosVersion: null, error: String(r.error), ms: 0 }))];
  },

  render(rows, out) {
    const color = (s: string) => (s === "online" ? out.style.ok(s) : out.style.bad(s));
    out.table(rows, [
      { key: "name", header: "NAME" },
      { key: "host", header: "HOST", format: (h, r) => (r.port && r.port !== 22 ? `${h}:${r.port}` : h) },
      { key: "user", header: "USER" },
      { key: "mode", header: "MODE" },
      { key: "status", header: "STATUS", format: color },
      { key: "nixosVersion", header: "NIXOS", format: (v) => v ?? "-" },
    ]);
    for (const r of rows) if (r.error && r.status !== "online") out.line(out.style.dim(`${r.name}: ${r.error}`));
  },
});
