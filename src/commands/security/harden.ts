import { defineCommand } from "../../core/command.js";

export default defineCommand<{ check?: string[]; undo?: string[] }, any>({
  path: ["security", "harden"],
  summary: "Write the fixes for failing audit checks as NixOS settings in hardening.nix (--undo ID removes one)",
  description:
    "Without --check: every failing or warning audit check that has a declarative fix. The plan lists each option and why. " +
    "Never locks you out: key login stays on for the user nixi connects as, and password login is not turned off while that user has no authorized key (exit 4).",
  risk: "change",
  flags: {
    check: { type: "list", description: "fix this audit check (repeatable)", placeholder: "id" },
    undo: { type: "list", description: "remove this fix from hardening.nix (repeatable)", placeholder: "id" },
  },
  examples: ["nixi security harden --dry-run", "nixi security harden --check ssh-password-auth --check sysctl-kptr-restrict", "nixi security harden --undo auto-upgrade"],
  jsonFields: ["added", "removed", "fixes"],
  async mutate(state, input, ctx) {
    const { FIXES, fixById } = await import("../../security/hardening/fixes.js");
    const { refuseLockout } = await import("../../security/hardening/lockout.js");
    const { NixiError } = await import("../../core/errors.js");
    const h = (state.hardening ??= {}) as { fixes?: string[] };
    const current = new Set(Array.isArray(h.fixes) ? h.fixes : []);
    const summary: string[] = [];
    const removed: string[] = [];
    for (const id of input.undo ?? []) {
      if (!current.has(id)) throw new NixiError("INVALID_ARGUMENT", `${JSON.stringify(id)} is not in hardening.nix`, `it has: ${[...current].join(", ") || "nothing"}`);
      current.delete(id);
      removed.push(id);
      summary.push(`remove fix ${id}`);
    }
    let wanted: string[] = input.check ?? [];
    for (const id of wanted) if (!fixById(id)) throw new NixiError("INVALID_ARGUMENT", `no declarative fix for ${JSON.stringify(id)}`, `fixes: ${FIXES.map((f) => f.id).join(", ")}`);
    if (!input.check?.length && !input.undo?.length) {
      const { gatherFacts } = await import("../../security/audit/facts.js");
      const { runChecks } = await import("../../security/audit/checks.js");
      const results = runChecks(await gatherFacts(ctx, { storeBudgetMs: 0 }));
      wanted = results.filter((r) => (r.status === "fail" || r.status === "warn") && fixById(r.id.replace(/-v6$/, ""))).map((r) => r.id.replace(/-v6$/, ""));
    }
    const added = [...new Set(wanted)].filter((id) => !current.has(id));
    const locking = added.filter((id) => fixById(id)!.needsKeyLogin);
    if (locking.length) summary.push(...(await refuseLockout(ctx, state, locking)));
    for (const id of added) {
      current.add(id);
      for (const o of fixById(id)!.options) // "set X to V" (not "X = V"): redaction masks anything that looks like password = value
      summary.push(`[${id}] set ${o.path.map((s) => (/^[A-Za-z_][\w'-]*$/.test(s) ? s : JSON.stringify(s))).join(".")} to ${JSON.stringify(o.value)} (${o.why})`);
    }
    if (current.size) h.fixes = [...current].sort();
    else delete state.hardening;
    return { summary, data: { added, removed, fixes: [...current].sort() } };
  },
});
