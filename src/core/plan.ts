// A plan is what a change will do, shown before confirmation and in --json.
import type { Finding } from "./findings.js";

export interface FileChange {
  path: string;
  action: "create" | "modify" | "delete";
  /** Unified diff; omitted for secret files. */
  diff?: string;
  secret?: boolean;
}

export interface Plan {
  summary: string[];
  files: FileChange[];
  commands: string[];
  /** Whether a rebuild follows (nixos-rebuild <mode>). */
  rebuild: boolean;
  /** What in this change makes the machine less secure (the gate refuses it without --insecure). */
  findings?: Finding[];
}

export function planIsEmpty(plan: Plan): boolean {
  return plan.files.length === 0 && plan.commands.length === 0 && !plan.rebuild;
}
