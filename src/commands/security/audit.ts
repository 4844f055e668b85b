import { defineCommand } from "../../core/command.js";

const WEIGHT = { high: 5, medium: 3, low: 1, info: 0 } as const;

export default defineCommand<{ check?: string[] }, any>({
  path: ["security", "audit"],
  summary: "Check the machine against hardening guidance (SSH, firewall, sudo, sysctls, secrets, ...): exit 8 when a high-severity check fails",
  description:
    "Reads only (runs on monitored nodes): sshd -T, nft -j list ruleset, ss -tlnpH, /proc/sys, /etc/sudoers, /etc/nix/nix.conf, " +
    "/srv modes, systemd-analyze security, lsblk, a time-boxed sample of the system closure. A check that cannot run is unknown with the reason.",
  risk: "read",
  flags: { check: { type: "list", description: "run only this check (repeatable)", placeholder: "id" } },
  examples: ["nixi security audit", "nixi security audit --json --all-nodes", "nixi security audit --check ssh-password-auth"],
  jsonFields: ["score", "failedHigh", "counts", "checks"],
  async run(ctx, input) {
    const { gatherFacts } = await import("../../security/audit/facts.js");
    const { runChecks, CHECKS } = await import("../../security/audit/checks.js");
    const { NixiError } = await import("../../core/errors.js");
    for (const id of input.check ?? []) if (!CHECKS.some((c) => c.id === id)) throw new NixiError("INVALID_ARGUMENT", `unknown check ${JSON.stringify(id)}`, `checks: ${CHECKS.map((c) => c.id).join(", ")}`);
    const facts = await gatherFacts(ctx, { storeBudgetMs: 5000 });
    const checks = runChecks(facts, input.check);
    const counts = { pass: 0, fail: 0, warn: 0, unknown: 0 };
    let got = 0;
    let max = 0;
    for (const c of checks) {
      counts[c.status]++;
      if (c.status === "unknown") continue;
      max += WEIGHT[c.severity];
      got += c.status === "pass" ? WEIGHT[c.severity] : c.status === "warn" ? WEIGHT[c.severity] / 2 : 0;
    }
    const failedHigh = checks.filter((c) => c.severity === "high" && c.status === "fail").map((c) => c.id);
    return { score: max ? Math.round((got / max) * 100) : null, failedHigh, counts, checks };
  },
  exitCode: (d) => (d.failedHigh.length ? 8 : 0),
  render(d, out) {
    for (const sev of ["high", "medium", "low", "info"]) {
      const rows = d.checks.filter((c: any) => c.severity === sev);
      if (!rows.length) continue;
      out.line(`${sev.toUpperCase()}:`);
      for (const c of rows) {
        out.line(`  ${c.status.padEnd(7)} ${c.id} — ${c.title}`);
        out.line(`          ${c.evidence}`);
        if (c.status !== "pass" && c.fix) out.line(`          fix: ${c.fix}  (${c.source})`);
      }
    }
    out.line(`score ${d.score ?? "?"}/100: ${d.counts.pass} pass, ${d.counts.fail} fail, ${d.counts.warn} warn, ${d.counts.unknown} unknown`);
  },
});
