// zod schemas for the net commands' arguments (loaded with the command, never at start-up).
import { z } from "zod";
import { checkHost, checkPort, parseHostPort, HOST_HINT } from "./validate.js";

export const HostArg = z.string().transform((s, c) => {
  const h = checkHost(s);
  if (h === null) {
    c.addIssue({ code: "custom", message: `not a host: expected ${HOST_HINT}` });
    return z.NEVER;
  }
  return h;
});

export const HostPortArg = z.string().transform((s, c) => {
  const hp = parseHostPort(s);
  if (hp === null) {
    c.addIssue({ code: "custom", message: `expected HOST:PORT with ${HOST_HINT} and a port 1-65535 (IPv6 as [::1]:22)` });
    return z.NEVER;
  }
  return hp;
});

/** A bounded whole number given as a flag value. */
export const bounded = (what: string, min: number, max: number) =>
  z.number().refine((n) => Number.isInteger(n) && n >= min && n <= max, { message: `${what} must be a whole number from ${min} to ${max}` });

export const PortArg = z.string().transform((s, c) => {
  const p = checkPort(s);
  if (p === null) {
    c.addIssue({ code: "custom", message: "expected a port 1-65535" });
    return z.NEVER;
  }
  return p;
});
