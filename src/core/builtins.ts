// Node built-ins that are slow to load, required on first use instead of at start-up: node:crypto
// brings about 15 internal modules with it (a few ms), and most command lines never need it.
import { createRequire } from "node:module";

// Built-ins resolve the same from anywhere: no import.meta.url (in the CommonJS bundle that costs
// loading node:url at start-up).
const load = createRequire("/");

export const nodeCrypto = (): typeof import("node:crypto") => load("node:crypto");
export const nodeOs = (): typeof import("node:os") => load("node:os");
// brings net, dgram and streams: only for a command that runs a program (a require here, unlike
// `await import()`, gets no copy of every export in the bundle)
export const nodeChildProcess = (): typeof import("node:child_process") => load("node:child_process");
