// Node built-ins that are slow to load, required on first use instead of at start-up: node:crypto
// brings about 15 internal modules with it (a few ms), and most command lines never need it.
import { createRequire } from "node:module";

// Built-ins resolve the same from anywhere: no import.meta.url (in the CommonJS bundle that costs
// loading node:url at start-up).
const load = createRequire("/");

export const nodeCrypto = (): typeof import("node:crypto") => load("node:crypto");
export const nodeOs = (): typeof import("node:os") => load("node:os");
// with net, dgram and streams, for a command that runs a program (and without esbuild's copy of
// every export that an `await import()` of a built-in gets in the bundle)
export const nodeChildProcess = (): typeof import("node:child_process") => load("node:child_process");
