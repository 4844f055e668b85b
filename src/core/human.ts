// Human rendering: plain aligned text off a TTY, cli-table3 and colour on one.
import type { Ctx } from "./context.js";
import type { Column, HumanOut } from "./output.js";
import type { Plan } from "./plan.js";
import { redact } from "./redact.js";
import { namedExports } from "./lazy-import.js";

type TableCtor = new (opts: any) => { push(row: any): void; toString(): string };
let TableLib: TableCtor | null = null;

/** cli-table3 is loaded only when a table will be drawn on a TTY. */
export async function preloadTables(): Promise<void> {
  if (!TableLib) TableLib = ((await namedExports(import("cli-table3"))) as any).default as TableCtor;
}

const plain = (s: string) => s;
const PLAIN = { ok: plain, bad: plain, warn: plain, dim: plain, bold: plain };
let ChalkCtor: typeof import("chalk").Chalk | null = null;

/** chalk is loaded only when colour will be used (a TTY without NO_COLOR/TERM=dumb/--no-color). */
export async function preloadStyles(): Promise<void> {
  ChalkCtor ??= (await namedExports(import("chalk"))).Chalk;
}

export function styler(color: boolean) {
  if (!color || !ChalkCtor) return PLAIN;
  const c = new ChalkCtor({ level: 1 });
  return { ok: (s: string) => c.green(s), bad: (s: string) => c.red(s), warn: (s: string) => c.yellow(s), dim: (s: string) => c.dim(s), bold: (s: string) => c.bold(s) };
}

/** Machine data may hold terminal escapes (a unit name, a log line): show them, never obey them. */
const shown = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
export const inert = (s: string) => s.replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, shown);
/** inert() for whole lines, keeping colour (SGR) sequences, which nixi's own styling puts there:
 *  a log line or file with ESC ] (OSC: title, clipboard), cursor moves or \r cannot rewrite the terminal. */
export const inertLine = (s: string) => s.replace(/\x1b\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f\x9b]/g, (c) => (c.length > 1 ? c : shown(c)));

const cell = (col: Column, row: any) => {
  const v = row[col.key];
  return inert(redact(col.format ? col.format(v, row) : v === undefined || v === null ? "" : Array.isArray(v) ? v.join(",") : String(v)));
};

export function humanOut(write: (s: string) => void, opts: { color: boolean; tty: boolean }): HumanOut {
  const style = styler(opts.color);
  return {
    style,
    line(text = "") {
      write(inertLine(redact(text)) + "\n");
    },
    kv(pairs) {
      const width = Math.max(0, ...pairs.map(([k]) => k.length));
      for (const [k, v] of pairs) write(`${(k + ":").padEnd(width + 2)}${inert(redact(v === undefined || v === null ? "-" : String(v)))}\n`);
    },
    table(rows, columns) {
      if (opts.tty && TableLib) {
        const t = new TableLib({ head: columns.map((c) => style.bold(c.header)), style: { head: [], border: opts.color ? ["grey"] : [] } });
        for (const r of rows) t.push(columns.map((c) => cell(c, r)));
        write(t.toString() + "\n");
        return;
      }
      const cells = rows.map((r) => columns.map((c) => cell(c, r)));
      const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
      const fmt = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join("  ").trimEnd() + "\n";
      write(fmt(columns.map((c) => c.header.toUpperCase())));
      for (const r of cells) write(fmt(r));
    },
  };
}

/** Default rendering when a command has no render(): tables for arrays, key/values for objects. */
export function renderDefault(data: unknown, out: HumanOut): void {
  if (data === undefined || data === null) return;
  if (Array.isArray(data)) {
    if (data.length === 0) return out.line(out.style.dim("(none)"));
    if (typeof data[0] === "object" && data[0] !== null) {
      const keys = [...new Set(data.flatMap((r) => Object.keys(r)))];
      return out.table(data, keys.map((k) => ({ key: k, header: k, format: (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? JSON.stringify(v) : v === undefined || v === null ? "" : Array.isArray(v) ? v.join(",") : String(v)) })));
    }
    for (const v of data) out.line(String(v));
    return;
  }
  if (typeof data === "object") {
    out.kv(Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, v !== null && typeof v === "object" ? JSON.stringify(v) : v]));
    return;
  }
  out.line(String(data));
}

export function renderPlan(plan: Plan, ctx: Pick<Ctx, "io">, opts: { diffs: boolean }): string {
  const s = styler(ctx.io.color);
  const lines: string[] = [s.bold("Plan:")];
  for (const b of plan.summary) lines.push(`  • ${b}`);
  if (plan.files.length) {
    lines.push(s.bold("Files:"));
    for (const f of plan.files) lines.push(`  ${f.action === "create" ? s.ok("+") : f.action === "delete" ? s.bad("-") : s.warn("~")} ${f.path}${f.secret ? s.dim(" (secret, contents not shown)") : ""}`);
  }
  if (plan.commands.length) {
    lines.push(s.bold("Commands:"));
    for (const c of plan.commands) lines.push(`  $ ${c}`);
  }
  for (const f of plan.findings ?? []) {
    lines.push(s.bad(`Insecure: ${f.what} [${f.id}]`));
    lines.push(`  why: ${f.why}`);
    lines.push(`  instead: ${f.alternative}`);
  }
  if (opts.diffs) {
    for (const f of plan.files) {
      if (!f.diff) continue;
      lines.push("");
      for (const l of f.diff.trimEnd().split("\n")) lines.push(l.startsWith("+") && !l.startsWith("+++") ? s.ok(l) : l.startsWith("-") && !l.startsWith("---") ? s.bad(l) : l);
    }
  }
  return redact(lines.join("\n")) + "\n";
}
