// Every nixi command line in README.md and docs/*.md is run against a fake root (the fakes of
// test/fakes on PATH), or listed in NEEDS_REAL_MACHINE with the reason, so the docs cannot rot:
// a renamed flag, a removed command or a changed argument shape fails here.
// - concrete lines (in code blocks, or inline `nixi ...` without placeholders) are run and must give
//   a valid envelope for their command, without a usage error (exit 2) or an internal error;
// - synopses (NAME, OPTION, a|b, [...], ...) must name a real command path.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, run, splitArgs } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { makeEnv } from "../system/_env.js";
import { COMMANDS, GROUP_SUMMARIES } from "../../src/commands/registry.js";

/** Lines that need a real NixOS machine, a network or an SSH node: why, per line. */
const NEEDS_REAL_MACHINE: Record<string, string> = {
  "nixi --node web1,web2 service restart nginx": "fans out over SSH to nodes web1 and web2 (test/exec covers fan-out with a loopback sshd)",
  "nixi node adopt web1 10.0.0.5": "connects to 10.0.0.5 over SSH (test/exec/ssh.test.ts adopts a loopback sshd)",
  "nixi node list --json --parallel 32": "probes every node of a real inventory over SSH (bench/fanout.mjs)",
  "nixi node list --json --parallel 33": "probes every node of a real inventory over SSH (bench/fanout.mjs)",
  "nixi system health --webhook-file /srv/.credentials/health-webhook": "reads a root-only file holding the webhook URL (test/trust-sec/health-webhook.e2e.test.ts posts to a local HTTP server)",
  "nixi --all-nodes net check db:5432": "needs a host named db and an inventory (test/net/nodes.test.ts runs net check over --all-nodes against loopback sshd nodes)",
  "nixi file write web/config/nginx.conf --from ./nginx.conf --yes": "reads ./nginx.conf where nixi runs (test/file/file.test.ts writes with --from)",
  "nixi security harden": "needs an authorized SSH key for the user nixi logs in as, or it refuses to turn password login off (test/security covers both)",
  "nixi security harden --check ssh-password-auth": "as above: refuses without an authorized key for the login user (test/security covers both)",
  "nixi ask \"open port 8080 and deploy nginx 1.27 on web-server\"": "needs an Ollama server (test/ask/e2e.test.ts runs bin/nixi ask against a scripted one)",
  "nixi fw open 8080 --node web-server": "the proposal shown in the ask example: a node named web-server",
  "nixi container deploy nginx --image nginx:1.27 --port 8080:80 --node web-server": "the proposal shown in the ask example: a node named web-server",
  "nixi __complete WHAT": "the hidden entry the shell completions call (test/docs/dynamic-completion.test.ts)",
  "nixi -v ...": "prose: -v on any command",
  "nixi ask": "prose: the ask front end (test/ask runs it against a scripted Ollama server)",
};

/** Commands the docs name that another issue builds (checked as references once registered). */
const PLANNED: Record<string, string> = {};

interface Example {
  file: string;
  line: string;
}

function examples(): Example[] {
  const files = ["README.md", ...readdirSync(join(REPO, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const out: Example[] = [];
  for (const file of files) {
    let inBlock = false;
    for (const raw of readFileSync(join(REPO, file), "utf8").split("\n")) {
      if (/^\s*```/.test(raw)) {
        inBlock = !inBlock;
        continue;
      }
      if (inBlock) {
        const m = /^\s*(?:\$ )?(?:\.\/bin\/)?(nixi .*)$/.exec(raw.replace(/^.*&& \.\/bin\//, ""));
        // A comment after two spaces or more: `nixi fw list --json     # declared and live`.
        if (m) out.push({ file, line: m[1].replace(/\s{2,}#.*$/, "").trim() });
      } else {
        for (const span of raw.matchAll(/`(nixi [^`]*)`/g)) out.push({ file, line: span[1].replace(/\\\|/g, "|").trim() });
      }
    }
  }
  return out;
}

const isSynopsis = (line: string) => /\b[A-Z]{2,}\b|\||\[|\.\.\.|…/.test(line.replace(/https?:\/\/\S+/g, "")) && !(line in NEEDS_REAL_MACHINE);
const GROUPS = new Set(COMMANDS.map((c) => c.path[0]));

/** The longest registered command path the words start with (after global flags). */
function commandOf(words: string[]): string | null {
  const rest = words.filter((w, i) => !w.startsWith("-") && !(i > 0 && ["--node", "--root", "--config"].includes(words[i - 1])));
  const paths = COMMANDS.map((c) => c.path).filter((p) => p.every((w, i) => rest[i] === w));
  return paths.length ? paths.sort((a, b) => b.length - a.length)[0].join(" ") : null;
}

const ALL = examples();

/** `nixi config`, `nixi gpu nvidia`, `nixi user add`: a group, or a command that needs arguments, named in prose. */
function isReference(line: string): boolean {
  const words = line.split(/\s+/).slice(1);
  if (words.some((w) => w.startsWith("-"))) return false;
  const key = words.join(" ");
  const exact = COMMANDS.find((c) => c.path.join(" ") === key);
  if (exact) return (exact.args ?? []).some((a: any) => !a.optional);
  return COMMANDS.some((c) => c.path.slice(0, words.length).join(" ") === key);
}
const BUILTIN = /^nixi (--help|--version|help( |$))/;

describe("docs: every nixi command line", () => {
  it("finds the examples (README and docs/*.md)", () => {
    expect(ALL.length).toBeGreaterThan(40);
    expect(new Set(ALL.map((e) => e.file)).size).toBeGreaterThan(4);
  });

  it("every line listed as needing a real machine is still in the docs", () => {
    const lines = new Set(ALL.map((e) => e.line));
    expect(Object.keys(NEEDS_REAL_MACHINE).filter((l) => !lines.has(l))).toEqual([]);
  });

  const synopses = [...new Set(ALL.filter((e) => isSynopsis(e.line) || isReference(e.line)).map((e) => e.line))];
  it.each(synopses)("synopsis or reference names a real command or group: %s", (line) => {
    const words = line.split(/\s+/).slice(1);
    if (BUILTIN.test(line)) return;
    const path = commandOf(words);
    expect(path ?? (GROUPS.has(words[0]) || words[0] in GROUP_SUMMARIES ? words[0] : null), line).not.toBeNull();
  });

  it.each(Object.keys(PLANNED))("planned, not yet registered here: %s", (line) => {
    expect(PLANNED[line]).toBeTruthy();
  });

  const concrete = [
    ...new Map(ALL.filter((e) => !isSynopsis(e.line) && !isReference(e.line) && !(e.line in NEEDS_REAL_MACHINE) && !(e.line in PLANNED)).map((e) => [e.line, e])).values(),
  ];
  it.each(concrete.map((e) => [e.line, e.file]))("runs: %s (%s)", async (line) => {
    const words = splitArgs(line).slice(1);
    if (BUILTIN.test(line)) {
      const b = await run(words);
      expect(b.exitCode, b.stderr).toBe(0);
      expect(b.stdout.length).toBeGreaterThan(0);
      return;
    }
    // Always under --root with a fake machine (a flake system: the fake nix knows more packages): never the real host.
    const e = makeEnv({ flake: true });
    const rooted = await run([...words, "--json", "--root", e.root], {
      path: [join(REPO, "test/fakes")],
      env: { NIXI_ROOT_EXEC: "1", NIXI_FAKE_LOG: e.log, NIXI_FAKE_STATE: e.state, NIXI_FAKE_ROOT: e.root, NIXI_FAKE_FAILED: "none" },
      // --env-secret reads the value from stdin
      stdin: "example-secret-value",
    });
    const env = expectEnvelope(rooted.json);
    expect(env.command, rooted.stderr).toBe(commandOf(words));
    expect(rooted.stderr).not.toMatch(/internal error/);
    // 0 done (or dry run), 3 a change without --yes off a TTY, 8 a failing health check: all mean the line is valid.
    expect([0, 3, 8], `${line}: exit ${rooted.exitCode}: ${env.error?.message ?? ""}`).toContain(rooted.exitCode);
  });
});
