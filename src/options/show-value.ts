// Values read from a machine, made safe to print: booleans and numbers as they are; strings of a
// secret-named option (or that look like a secret) masked.
import { isSecretName } from "../core/secret-names.js";
import { redact } from "../core/redact.js";

const MASK = "***";

export function redactOptionValue(segs: string[], v: unknown): unknown {
  const name = segs[segs.length - 1] ?? "";
  if (typeof v === "string") return v !== "" && isSecretName(name) ? MASK : redact(v);
  if (Array.isArray(v)) return v.map((x) => redactOptionValue(segs, x));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactOptionValue([...segs, k], x)]));
  return v;
}
