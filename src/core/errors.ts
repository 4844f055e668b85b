// Errors carry a stable code (for --json) and map to the exit-code table of DESIGN section 6.

export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  CONFIRMATION: 3,
  POLICY: 4,
  UNREACHABLE: 5,
  REBUILD_FAILED: 6,
  PARTIAL: 7,
  HEALTH: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_TABLE: ReadonlyArray<[number, string]> = [
  [0, "success (also: nothing to change)"],
  [1, "the action failed on the machine"],
  [2, "usage error: unknown flag, bad argument, invalid input"],
  [3, "confirmation required or declined: nothing changed"],
  [4, "refused by policy: monitored node, path outside /srv, insecure request"],
  [5, "node unreachable, SSH authentication or host-key failure"],
  [6, "rebuild failed; nixi's files were restored"],
  [7, "several nodes: some succeeded, some failed"],
  [8, "system health: a check is failing (for cron and monitoring)"],
];

/** Error codes used in the JSON envelope, each bound to one exit code. */
export const ERROR_CODES = {
  FAILED: EXIT.FAILED,
  NOT_FOUND: EXIT.FAILED,
  USAGE: EXIT.USAGE,
  INVALID_ARGUMENT: EXIT.USAGE,
  UNKNOWN_COMMAND: EXIT.USAGE,
  UNKNOWN_FLAG: EXIT.USAGE,
  STATE_INVALID: EXIT.USAGE,
  CONFIG_INVALID: EXIT.USAGE,
  CONFIRMATION_REQUIRED: EXIT.CONFIRMATION,
  DECLINED: EXIT.CONFIRMATION,
  POLICY: EXIT.POLICY,
  MONITORED: EXIT.POLICY,
  PATH_OUTSIDE_SRV: EXIT.POLICY,
  INSECURE: EXIT.POLICY,
  NOT_INITIALIZED: EXIT.POLICY,
  UNREACHABLE: EXIT.UNREACHABLE,
  AUTH_FAILED: EXIT.UNREACHABLE,
  HOST_KEY_CHANGED: EXIT.UNREACHABLE,
  REBUILD_FAILED: EXIT.REBUILD_FAILED,
  PARTIAL: EXIT.PARTIAL,
  HEALTH_FAILING: EXIT.HEALTH,
  LOCKED: EXIT.FAILED,
  /** a failed change could not put nixi's files back completely (said plainly, with what to do) */
  RESTORE_INCOMPLETE: EXIT.FAILED,
  /** the change would cut off nixi's own way in (SSH) or the administrators' */
  LOCKOUT: EXIT.POLICY,
  /** safe apply: the node did not answer after the switch and switched back */
  REVERTED: EXIT.REBUILD_FAILED,
  /** rolling change: the rollout stopped before this node */
  NOT_TOUCHED: EXIT.PARTIAL,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class NixiError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  /** Extra structured data for --json (e.g. the rebuild log tail). Must already be safe to print. */
  readonly details?: Record<string, unknown>;
  /** The plan that was not applied (confirmation required, refused): --json shows it with the error. */
  plan?: import("./plan.js").Plan;

  constructor(code: ErrorCode, message: string, hint?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "NixiError";
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code];
  }
}

export function toNixiError(err: unknown): NixiError {
  if (err instanceof NixiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NixiError("FAILED", message);
}
