// Human output helpers handed to a command's render(); the JSON envelope lives in envelope.ts.
export interface Column {
  key: string;
  header: string;
  /** Format a cell; default String(value ?? ""). */
  format?: (value: any, row: any) => string;
}

export interface HumanOut {
  /** A table (cli-table3 on a TTY, aligned plain columns otherwise). */
  table(rows: Array<Record<string, any>>, columns: Column[]): void;
  /** Aligned "key: value" block. */
  kv(pairs: Array<[string, unknown]>): void;
  line(text?: string): void;
  /** Colour helpers; identity when colour is off. */
  style: { ok(s: string): string; bad(s: string): string; warn(s: string): string; dim(s: string): string; bold(s: string): string };
}
