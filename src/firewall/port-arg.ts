// zod schema for a port argument (kept apart from ports.ts so reading rules never loads zod).
import { z } from "zod";
import { parsePortSpec } from "./ports.js";

export const PortSpecArg = z.string().transform((raw, ctx) => {
  try {
    return parsePortSpec(raw);
  } catch (e: any) {
    ctx.addIssue({ code: "custom", message: e.message });
    return z.NEVER;
  }
});
