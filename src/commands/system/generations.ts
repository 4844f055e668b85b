import { defineCommand } from "../../core/command.js";
import type { Generation } from "../../system/nix.js";

export default defineCommand<Record<string, never>, Generation[]>({
  path: ["system", "generations"],
  summary: "List NixOS system generations (number, date, NixOS version, kernel, current)",
  risk: "read",
  examples: ["nixi system generations", "nixi system generations --json"],
  jsonFields: ["generation", "date", "nixosVersion", "kernelVersion", "configurationRevision", "specialisations", "current"],
  async run(ctx) {
    const { generations } = await import("../../system/gather.js");
    const r = await generations(ctx);
    if (r.source === "profile") ctx.debug("nixos-rebuild list-generations --json unavailable; read the system profile links");
    return r.generations;
  },
  render(rows, out) {
    if (rows.length === 0) return out.line(out.style.dim("(no generations found)"));
    out.table(rows, [
      { key: "generation", header: "gen", format: (v, r) => (r.current ? `${v} *` : String(v)) },
      { key: "date", header: "date", format: (v) => (v ? String(v).replace("T", " ").replace(/\.\d+Z$/, "Z") : "-") },
      { key: "nixosVersion", header: "nixos", format: (v) => v ?? "-" },
      { key: "kernelVersion", header: "kernel", format: (v) => v ?? "-" },
    ]);
  },
});
