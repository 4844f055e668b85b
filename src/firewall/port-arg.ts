// Validator for a port argument: a plain function, not zod, so fw open/close never load zod.
import { checked } from "../core/check.js";
import { parsePortSpec } from "./ports.js";

export const PortSpecArg = checked(parsePortSpec);
