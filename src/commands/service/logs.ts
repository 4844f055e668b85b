import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import type { JournalEntry } from "../../system/systemd.js";
import { PositiveInt, SinceSpec, UnitName } from "../../system/schemas.js";
import { inert } from "../../core/human.js";

interface LogsData {
  unit: string;
  entries: JournalEntry[];
  followed: boolean;
}

const PRIO = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

/** Control characters from a log (ANSI escapes, carriage returns...) are shown escaped, never sent to the terminal. */
export function formatEntry(e: JournalEntry): string {
  const who = e.identifier ? `${inert(e.identifier)}${e.pid !== null ? `[${e.pid}]` : ""}: ` : "";
  return `${e.time ?? "-"} ${who}${inert(e.message).replace(/\n/g, "\n    ")}`;
}

export default defineCommand<{ name: string; lines: number; since?: string; follow?: boolean }, LogsData>({
  path: ["service", "logs"],
  summary: "Show a unit's journal (parsed from journalctl -o json, redacted)",
  risk: "read",
  args: [{ name: "name", description: "unit name (nginx or nginx.service)", schema: UnitName }],
  flags: {
    lines: { type: "number", short: "n", description: "number of most recent entries", default: 50, placeholder: "n", schema: PositiveInt(100000) },
    since: { type: "string", description: 'only entries since this time ("1 hour ago", "today", "2026-11-21 10:00")', placeholder: "time", schema: SinceSpec },
    follow: { type: "boolean", short: "f", description: "keep printing new entries until interrupted" },
  },
  examples: ["nixi service logs nginx", "nixi service logs nginx -n 200 --since '1 hour ago'", "nixi service logs sshd --follow"],
  jsonFields: ["unit", "entries", "followed"],
  async run(ctx, { name, lines, since, follow }) {
    const { normalizeUnit, parseJournal, journalEntry } = await import("../../system/systemd.js");
    const { redact } = await import("../../core/redact.js");
    const { inertLine } = await import("../../core/human.js");
    const unit = normalizeUnit(name);
    const argv = ["journalctl", "-u", unit, "-o", "json", "--no-pager", "-n", String(lines ?? 50)];
    if (since) argv.push(`--since=${since}`);
    let streamed = false;
    let onStdout: ((chunk: string) => void) | undefined;
    if (follow) {
      argv.push("-f");
      if (!ctx.flags.json) {
        // Print each entry as it arrives; the envelope (with --json) comes at the end.
        let buf = "";
        streamed = true;
        onStdout = (chunk) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim().startsWith("{")) continue;
            try {
              ctx.io.stdout.write(inertLine(redact(formatEntry(journalEntry(JSON.parse(line))))) + "\n");
            } catch {}
          }
        };
      }
    }
    const r = await ctx.exec.run(argv, { readOnly: true, privileged: true, onStdout, timeoutMs: follow ? undefined : 120_000 });
    if (r.notFound) throw new NixiError("FAILED", "journalctl was not found", "this needs a machine running systemd (NixOS)");
    if (r.exitCode !== 0 && !(follow && r.exitCode === 130)) {
      throw new NixiError("FAILED", `journalctl failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n").pop()}`);
    }
    const entries = parseJournal(r.stdout).map((e) => ({ ...e, message: redact(e.message) }));
    return Object.defineProperty({ unit, entries, followed: !!follow }, "streamed", { value: streamed, enumerable: false }) as LogsData;
  },
  render(d, out) {
    if ((d as any).streamed) return;
    if (d.entries.length === 0) return out.line(out.style.dim(`(no journal entries for ${d.unit})`));
    for (const e of d.entries) {
      const line = formatEntry(e);
      out.line(e.priority !== null && e.priority <= 3 ? out.style.bad(line) : e.priority === 4 ? out.style.warn(line) : line);
    }
  },
});

export { PRIO };
