// Rebuild progress (issue 11 item 4): nixos-rebuild's output is watched for its phases and one plain
// line per phase goes to stderr ("rebuild: building 12 derivations"), on a TTY and in logs alike.
import type { Ctx } from "../core/context.js";

const PHASES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^building the system configuration/, () => "evaluating and building the system"],
  [/^these (\d+) derivations will be built/, (m) => `building ${m[1]} derivations`],
  [/^this derivation will be built/, () => "building 1 derivation"],
  [/^these (\d+) paths will be fetched/, (m) => `fetching ${m[1]} paths`],
  [/^this path will be fetched/, () => "fetching 1 path"],
  [/^(activating the configuration|stopping the following units|starting the following units)/, () => "activating"],
  [/^updating GRUB|^installing the boot loader|^Copied "/, () => "installing the boot loader"],
];

/** Sinks for the rebuild's stdout and stderr chunks (one line buffer each) that log each new phase once. */
export function rebuildProgress(ctx: Pick<Ctx, "log">): { out: (chunk: string) => void; err: (chunk: string) => void } {
  const seen = new Set<string>();
  return { out: sink(ctx, seen), err: sink(ctx, seen) };
}

function sink(ctx: Pick<Ctx, "log">, seen: Set<string>): (chunk: string) => void {
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.trim();
      for (const [re, name] of PHASES) {
        const m = re.exec(line);
        if (!m) continue;
        const phase = name(m);
        if (!seen.has(phase)) {
          seen.add(phase);
          ctx.log(`rebuild: ${phase}`);
        }
        break;
      }
    }
  };
}
