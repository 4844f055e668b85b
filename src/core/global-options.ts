// The global flags, listed once: src/cli.ts registers them on the program, and
// scripts/gen-completions.mjs writes them into the shell completions and the man page.
// No imports here: cli.ts loads this on every start.

export interface GlobalOption {
  /** commander syntax: "-y, --yes", "--root <dir>". */
  flags: string;
  description: string;
  /** What the value is, for shell completion (no entry: free text; node: names from the inventory in config.toml, comma-separated). */
  complete?: "dir" | "file" | "node" | "tag";
}

export const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  { flags: "--json", description: "print one JSON document (the envelope) on stdout" },
  { flags: "-y, --yes", description: "apply changes without asking" },
  { flags: "--dry-run", description: "show the plan, change nothing" },
  { flags: "--no-rebuild", description: "stage the change; apply later with `nixi system rebuild`" },
  { flags: "--no-input", description: "never prompt" },
  { flags: "--no-color", description: "no colour" },
  { flags: "-q, --quiet", description: "less output" },
  { flags: "-v, --verbose", description: "more output (diffs in plans, debug lines)" },
  { flags: "--root <dir>", description: "treat DIR as the machine's / (default /)", complete: "dir" },
  { flags: "--config <file>", description: "config.toml to use (default $NIXI_CONFIG or ~/.config/nixi/config.toml)", complete: "file" },
  { flags: "--node <names>", description: "run on these nodes (comma-separated; default: this machine)", complete: "node" },
  { flags: "--all-nodes", description: "run on every node in the inventory" },
  { flags: "--tag <tags>", description: "run on the inventory's nodes with any of these tags (comma-separated)", complete: "tag" },
  { flags: "--parallel <n>", description: "nodes at once (default 10)" },
  { flags: "--rolling <n>", description: "a change on several nodes: this many nodes at a time (default 1, the first is the canary)" },
  { flags: "--max-fail <k>", description: "a change on several nodes: stop the rollout after this many failed nodes (default 1)" },
  { flags: "--no-safe-apply", description: "on a remote switch, do not arm the automatic revert (see docs/remote.md)" },
  { flags: "--force", description: "override a safety check that refuses the change (never set by ask)" },
  { flags: "--insecure", description: "accept a change that makes the machine less secure (never set by ask)" },
];

/** Added by commander itself (program.version() and the built-in help). */
export const BUILTIN_OPTIONS: readonly GlobalOption[] = [
  { flags: "-h, --help", description: "show help for the command" },
  { flags: "-V, --version", description: "print nixi's version" },
];

/** Long names of the global options that take a value ("--root", ...). */
export const GLOBAL_VALUE_OPTIONS: readonly string[] = GLOBAL_OPTIONS.filter((o) => o.flags.includes("<")).map((o) => o.flags.replace(/^.*?(--[\w-]+).*$/, "$1"));

/** Node names and tags in the inventory, as --node and --tag take them. */
export const NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
