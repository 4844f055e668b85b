import { defineCommand } from "../../core/command.js";
import type { HealthReport } from "../../system/health.js";
import { z } from "zod";

interface HealthData extends HealthReport {
  webhook: { sent: boolean; status: number | null; error: string | null } | null;
}

const Percent = z.number().min(1).max(100);

export default defineCommand<{ diskPercent?: number; memoryPercent?: number; loadPerCpu?: number; webhook?: string; webhookFile?: string }, HealthData>({
  path: ["system", "health"],
  summary: "Check disks, memory, load, failed units, SMART and pending reboot; exit 8 when a check fails",
  description:
    "Meant for cron and systemd timers: exit 0 when no check fails, 8 when one fails or when no check could run. A check that could not run is unknown (never counted as passing). Thresholds come from flags, " +
    "else from [health] in config.toml (disk_percent, memory_percent, load_per_cpu, webhook). With a webhook (--webhook-file FILE, webhook under [health], or --webhook URL), a JSON summary is POSTed when a check fails. " +
    "Prefer the file or config.toml: a URL on the command line (or in a timer's command) is visible in ps and may land in the Nix store.",
  risk: "read",
  flags: {
    "disk-percent": { type: "number", description: "fail when a file system is fuller than this (default 90)", placeholder: "pct", schema: Percent },
    "memory-percent": { type: "number", description: "fail when more memory than this is in use (default 90)", placeholder: "pct", schema: Percent },
    "load-per-cpu": { type: "number", description: "fail when the 5-minute load per CPU exceeds this (default 2)", placeholder: "n", schema: z.number().positive().max(1000) },
    webhook: { type: "string", description: "POST a JSON summary to this http(s) URL when a check fails", placeholder: "url", secret: true, schema: z.string().regex(/^https?:\/\/[^\s]+$/, "an http:// or https:// URL") },
    "webhook-file": { type: "string", description: "read the webhook URL from this file (first line; - = stdin), so it is not on the command line", placeholder: "file" },
  },
  examples: ["nixi system health", "nixi system health --json", "nixi system health --disk-percent 80 --webhook-file /srv/.credentials/health-webhook"],
  jsonFields: ["ok", "hostname", "checkedAt", "failing", "checks", "webhook"],
  exitCode: (d) => (d.ok ? 0 : 8),
  async run(ctx, input) {
    const g = await import("../../system/gather.js");
    const p = await import("../../system/proc.js");
    const { evaluateHealth } = await import("../../system/health.js");
    const safe = async <T>(f: () => Promise<T>, what: string): Promise<T | null> => {
      try {
        return await f();
      } catch (e: any) {
        ctx.warn(`${what}: ${e.message}`);
        return null;
      }
    };
    const parse = <T>(t: string | null, f: (t: string) => T): T | null => {
      try {
        return t === null ? null : f(t);
      } catch {
        return null;
      }
    };
    const FILES = ["/proc/meminfo", "/proc/loadavg", "/proc/cpuinfo", "/proc/pressure/memory"];
    // the files and the hostname in one round trip (issue 11)
    ctx = { ...ctx, exec: await (await import("../../exec/prefetch.js")).prefetchFiles(ctx.exec, [...FILES, "/etc/hostname", "/proc/sys/kernel/hostname"]) };
    const [memText, loadText, cpuText, psiText] = await Promise.all(FILES.map((f) => g.readText(ctx, f)));
    const readings = {
      disks: await safe(() => g.diskUse(ctx), "disk check"),
      memory: parse(memText, p.parseMeminfo),
      memoryPressure: parse(psiText, p.parsePressure),
      load: parse(loadText, p.parseLoadavg),
      cpuCount: parse(cpuText, p.parseCpuinfo)?.count ?? 1,
      failedUnits: await safe(() => g.failedUnits(ctx), "failed-units check"),
      smart: await safe(() => g.smartHealth(ctx), "SMART check"),
      kernels: await safe(() => g.kernels(ctx), "reboot check"),
    };
    const cfg = ctx.config.health;
    const thresholds = {
      diskPercent: input.diskPercent ?? cfg.diskPercent,
      memoryPercent: input.memoryPercent ?? cfg.memoryPercent,
      loadPerCpu: input.loadPerCpu ?? cfg.loadPerCpu,
    };
    const report = evaluateHealth(readings, thresholds, await g.hostname(ctx), ctx.clock());
    const { resolveWebhook } = await import("../../system/webhook-source.js");
    const url = await resolveWebhook(ctx, input.webhook, input.webhookFile);
    let webhook: HealthData["webhook"] = null;
    if (url && !report.ok) {
      const { postWebhook } = await import("../../system/webhook.js");
      webhook = await postWebhook(url, { node: ctx.node, ...report });
      if (!webhook.sent) ctx.warn(`webhook not delivered: ${webhook.error}`);
    }
    return { ...report, webhook };
  },
  render(d, out) {
    for (const c of d.checks) {
      const mark = c.status === "ok" ? out.style.ok("ok  ") : c.status === "fail" ? out.style.bad("FAIL") : out.style.warn("UNKN");
      out.line(`${mark} ${c.name.padEnd(12)} ${c.message}`);
    }
    // "healthy" only when every check ran and passed
    const unknown = d.unknown ?? [];
    if (d.failing.length) out.line(out.style.bad(`unhealthy: ${d.failing.join(", ")}`) + (unknown.length ? `; not checked: ${unknown.join(", ")}` : ""));
    else if (unknown.length === d.checks.length) out.line(out.style.bad(`unknown: no check could run (${unknown.join(", ")})`));
    else if (unknown.length) out.line(`no failing check, but not checked: ${unknown.join(", ")}`);
    else out.line(out.style.ok("healthy"));
    if (d.webhook) out.line(d.webhook.sent ? `webhook notified (HTTP ${d.webhook.status})` : `webhook failed: ${d.webhook.error}`);
  },
});
