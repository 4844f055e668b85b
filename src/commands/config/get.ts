import { posix } from "node:path";
import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { formatOptionPath, parseOptionPath } from "../../nixos/modules/options.js";

interface GetData {
  option: string;
  /** The effective value (secrets masked); null when it could not be read. */
  value: unknown;
  /** Where the value comes from: nixi's options.nix, another file, the option's default,
   *  or nixi's state (staged) when the machine could not be evaluated. */
  source: "nixi" | "other" | "default" | "nixi-staged" | "unknown";
  /** Files that define the value (from the evaluation). */
  files: string[];
  type: string | null;
  evaluation: { evaluated: boolean; seconds?: number; cached?: boolean; skipped?: string };
}

export default defineCommand<{ option: string }, GetData>({
  path: ["config", "get"],
  summary: "Show an option's effective value on the machine and where it comes from",
  description:
    "Like nixos-option: evaluates the machine's configuration (cached per system generation) and prints the value, " +
    "with the files that define it (nixi's options.nix, another file) or that it is the default. " +
    "Where evaluation is not possible (--root, a machine that is not NixOS) it prints what nixi's state.toml sets and says so.",
  risk: "read",
  args: [{ name: "option", description: "option path, e.g. networking.firewall.allowedTCPPorts" }],
  examples: ["nixi config get networking.hostName", "nixi config get services.openssh.settings.PasswordAuthentication --json", "nixi --node web1 config get system.stateVersion"],
  jsonFields: ["option", "value", "source", "files", "type", "evaluation"],
  async run(ctx, input) {
    const segs = parseOptionPath(input.option, "option path", 1);
    const key = formatOptionPath(segs);
    const { readFromMachine } = await import("../../options/sources.js");
    const { redactOptionValue } = await import("../../options/show-value.js");
    const { hostPath } = await import("../../options/evaluate.js");
    const machine = await readFromMachine(ctx, segs, true);
    const evaluation = { evaluated: machine.evaluated, ...(machine.seconds !== undefined ? { seconds: machine.seconds, cached: machine.cached } : {}), ...(machine.skipped ? { skipped: machine.skipped } : {}) };
    const m = machine.option;
    if (m && !m.found) {
      const { suggestPaths } = await import("../../options/catalog.js");
      const near = suggestPaths(segs);
      throw new NixiError("INVALID_ARGUMENT", `${key} is not an option of this machine's NixOS configuration`, near.length ? `did you mean ${near.join(", ")}?` : "search with `nixi option search TERM`");
    }
    if (m) {
      const files = m.files ?? [];
      const nixiFile = hostPath(ctx, posix.join(ctx.config.nixiDir, "options.nix"));
      const nixiFolder = hostPath(ctx, ctx.config.nixiDir) + "/";
      const declared = new Set(m.declarations ?? []);
      const source: GetData["source"] = files.every((f) => declared.has(f)) ? "default" : files.includes(nixiFile) ? "nixi" : files.some((f) => f.startsWith(nixiFolder)) ? "nixi" : "other";
      if (m.value?.error) ctx.warn(`${key}: ${m.value.error}`);
      return { option: key, value: m.value && "value" in m.value ? redactOptionValue(segs, m.value.value) : null, source, files, type: (m.rest?.length ? m.elemType : m.type) ?? null, evaluation };
    }
    // No evaluation: what nixi's state sets, else the catalog's default.
    const { loadState } = await import("../../nixos/state.js");
    const state = await loadState(ctx);
    const options = (state.options ?? {}) as Record<string, unknown>;
    const { findOption } = await import("../../options/catalog.js");
    const cat = findOption(segs);
    if (key in options) return { option: key, value: redactOptionValue(segs, options[key]), source: "nixi-staged", files: [posix.join(ctx.config.nixiDir, "state.toml")], type: cat?.option.type ?? null, evaluation };
    if (!cat || cat.rest.length) {
      const { suggestPaths } = await import("../../options/catalog.js");
      const near = suggestPaths(segs);
      throw new NixiError("INVALID_ARGUMENT", `${key} is not a NixOS option nixi knows, and the machine was not evaluated (${machine.skipped})`, near.length ? `did you mean ${near.join(", ")}?` : undefined);
    }
    ctx.warn(`the machine was not evaluated (${machine.skipped}): showing the catalog's default; another file may set ${key}`);
    return { option: key, value: cat.option.default ?? null, source: "unknown", files: [], type: cat.option.type, evaluation };
  },
  render(d, out) {
    out.line(`${d.option} = ${typeof d.value === "string" && d.source === "unknown" ? d.value : JSON.stringify(d.value)}`);
    const from = d.source === "default" ? "the option's default" : d.source === "nixi-staged" ? "nixi's state.toml (staged; the machine was not evaluated)" : d.source === "unknown" ? "the catalog's default (the machine was not evaluated)" : d.files.join(", ");
    out.line(out.style.dim(`# from ${from}`));
  },
});
