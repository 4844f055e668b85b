// The --json envelope (DESIGN section 5); schema/envelope.schema.json describes it.
import type { Plan } from "./plan.js";
import type { NixiError } from "./errors.js";
import { redactValue } from "./redact.js";

export interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export interface NodeResult {
  node: string;
  ok: boolean;
  changed?: boolean;
  /** A change on several nodes: what happened on this node. */
  outcome?: "changed" | "unchanged" | "reverted" | "failed" | "not touched";
  data?: unknown;
  plan?: Plan;
  error?: ErrorBody;
  warnings?: string[];
}

export interface Envelope {
  ok: boolean;
  command: string;
  node?: string;
  changed?: boolean;
  dryRun?: boolean;
  data?: unknown;
  plan?: Plan | null;
  warnings: string[];
  error?: ErrorBody;
  results?: NodeResult[];
}

export function errorBody(err: NixiError): ErrorBody {
  const body: ErrorBody = { code: err.code, message: err.message };
  if (err.hint) body.hint = err.hint;
  if (err.details) body.details = err.details;
  return body;
}

export function serializeEnvelope(env: Envelope): string {
  return JSON.stringify(redactValue(env), null, 2) + "\n";
}
