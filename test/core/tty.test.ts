// Colour, tables and the confirmation prompt on a real terminal: the built CLI (bin/nixi) runs
// under `script` (util-linux), which gives it a pseudo-terminal for stdin, stdout and stderr.
// Needs `npm run build` first (npm test does it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, REPO, runBin } from "../helpers/run.js";
import { cleanupRoots, makeRoot, NIXI_DIR, read, treeHash } from "../helpers/tree.js";
import { needCapability, needProgram } from "../helpers/require.js";

const HAVE_SCRIPT = needProgram("script");
// fw list also shows the live firewall: read it in a fresh network namespace (empty ruleset)
// when we may create one, so the table does not depend on this machine's rules.
const NETNS = needCapability("a network namespace (unshare -n)", () => spawnSync("unshare", ["-n", "true"]).status === 0);
const FAKES = join(REPO, "test/fakes");
const ESC = "\x1b[";
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

afterAll(cleanupRoots);

function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color", NIXI_CONFIG: "/nonexistent/nixi-test-config.toml", ...extra };
  for (const k of ["NO_COLOR", "FORCE_COLOR", "NODE_DISABLE_COLORS"]) if (!(k in extra)) delete env[k];
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

interface TtyResult {
  exitCode: number;
  /** Everything the terminal showed (stdout and stderr share it), \r\n made \n. */
  screen: string;
  prompted: boolean;
}

/**
 * Run `shellCmd` on a pseudo-terminal. With `answer`, type it (then Enter unless it is a
 * control character) once the confirmation prompt shows.
 */
function onTty(shellCmd: string, opts: { env?: Record<string, string | undefined>; answer?: string; netns?: boolean; timeoutMs?: number } = {}): Promise<TtyResult> {
  const argv = ["script", "-qec", shellCmd, "/dev/null"];
  if (opts.netns && NETNS) argv.unshift("unshare", "-n", "--");
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: baseEnv(opts.env), cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    let prompted = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    const onData = (c: Buffer) => {
      screen += c.toString("utf8");
      if (!prompted && screen.includes("Apply these changes?")) {
        prompted = true;
        if (opts.answer !== undefined) {
          const keys = /^[\x00-\x1f]$/.test(opts.answer) ? opts.answer : `${opts.answer}\r`;
          setTimeout(() => child.stdin.write(keys), 150);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, screen: screen.replace(/\r\n/g, "\n"), prompted });
    });
  });
}

const nixi = (args: string) => `${sq(process.execPath)} ${sq(BIN)} ${args}`;
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

describe.skipIf(!HAVE_SCRIPT)("on a terminal (script from util-linux)", () => {
  beforeAll(() => {
    if (!existsSync(join(REPO, "dist/main.js"))) throw new Error("dist/main.js is missing: run `npm run build` before these tests");
  });

  describe("colour and tables", () => {
    let root = "";
    beforeAll(async () => {
      root = makeRoot();
      const r = await runBin(`fw open 8080 53/udp --yes --no-rebuild --root ${root}`);
      expect(r.exitCode, r.stderr).toBe(0);
    });

    it("fw list on a terminal: ANSI colour and table borders", async () => {
      const r = await onTty(nixi(`fw list --root ${sq(root)}`), { netns: true });
      expect(r.exitCode, r.screen).toBe(0);
      expect(r.screen).toContain(ESC);
      expect(r.screen).toMatch(/[┌┬┐│└┘]/);
      const plain = stripAnsi(r.screen);
      expect(plain).toMatch(/│ 8080 +│ tcp +│/);
      expect(plain).toMatch(/│ 53 +│ udp +│/);
    });

    it.each([
      ["NO_COLOR=1", { NO_COLOR: "1" }, ""],
      ["TERM=dumb", { TERM: "dumb" }, ""],
      ["--no-color", {}, " --no-color"],
    ])("%s: no ANSI escape at all, still a table", async (_label, env, flag) => {
      const r = await onTty(nixi(`fw list --root ${sq(root)}${flag}`), { env, netns: true });
      expect(r.exitCode, r.screen).toBe(0);
      expect(r.screen).not.toContain("\x1b");
      expect(r.screen).toMatch(/│ 8080 +│ tcp +│/);
    });

    it("NO_COLOR set but empty does not turn colour off (no-color.org)", async () => {
      const r = await onTty(nixi(`fw list --root ${sq(root)}`), { env: { NO_COLOR: "" }, netns: true });
      expect(r.screen).toContain(ESC);
    });

    it("nixi --help (the build's dist/help.txt) is commander's help on a 132-column terminal too", async () => {
      const fast = await onTty(`stty cols 132; ${nixi("--help")}`);
      const slow = await onTty(`stty cols 132; ${nixi("help")}`);
      expect(fast.exitCode, fast.screen).toBe(0);
      expect(fast.screen).toContain("Usage: nixi [options] [command]");
      expect(fast.screen).toBe(slow.screen);
      // 80 columns wide on every terminal: the same text the build wrote
      expect(Math.max(...fast.screen.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
      expect(fast.screen).toBe(readFileSync(join(REPO, "dist/help.txt"), "utf8").replace(/\r\n/g, "\n"));
    });

    it("off a terminal: never colour, never borders, whatever TERM says", async () => {
      const r = await runBin(`fw list --root ${root}`, { env: { TERM: "xterm-256color", NO_COLOR: undefined, FORCE_COLOR: "3" } });
      expect(r.exitCode).toBe(0);
      expect(r.stdout + r.stderr).not.toContain("\x1b");
      expect(r.stdout).not.toMatch(/[┌┬┐│└┘]/);
      expect(r.stdout).toMatch(/^8080 +tcp +all +yes/m);
      expect(r.stdout).toMatch(/^PORT +PROTO/m);
    });

    it("stdout piped on a terminal (nixi fw list | cat): plain text, no colour", async () => {
      const r = await onTty(`${nixi(`fw list --root ${sq(root)}`)} | cat`, { netns: true });
      expect(r.exitCode, r.screen).toBe(0);
      expect(r.screen).not.toContain("\x1b");
      expect(r.screen).not.toMatch(/[┌┬┐│└┘]/);
      expect(r.screen).toMatch(/^8080 +tcp +all +yes/m);
    });

    it("--json on a terminal: one JSON document, no colour", async () => {
      const r = await onTty(nixi(`fw list --json --root ${sq(root)}`), { netns: true });
      expect(r.exitCode, r.screen).toBe(0);
      expect(r.screen).not.toContain("\x1b");
      expect(JSON.parse(r.screen).ok).toBe(true);
    });
  });

  describe("the confirmation prompt (@inquirer/prompts)", () => {
    let logDir = "";
    beforeAll(() => {
      logDir = makeRoot(); // the fakes' log lives outside the machine roots being hashed
    });
    const fakeEnv = (root: string) => ({ PATH: `${FAKES}:${process.env.PATH}`, NIXI_ROOT_EXEC: "1", NIXI_FAKE_LOG: join(logDir, `${root.split("/").pop()}.log`) });
    const rebuilds = (root: string) => {
      const log = fakeEnv(root).NIXI_FAKE_LOG;
      return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.startsWith("nixos-rebuild")) : [];
    };
    /** A root where nixi already declared port 22 (staged), so "unchanged" covers existing files. */
    async function stagedRoot(): Promise<string> {
      const root = makeRoot({ "etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
      const r = await runBin(`fw open 22 --insecure --yes --no-rebuild --root ${root}`);
      expect(r.exitCode, r.stderr).toBe(0);
      return root;
    }

    it('answering "n": plan and prompt shown, exit 3, nothing changed, no rebuild', async () => {
      const root = await stagedRoot();
      const before = treeHash(root);
      const r = await onTty(nixi(`fw open 8080 --root ${sq(root)}`), { answer: "n", env: fakeEnv(root) });
      expect(r.prompted, r.screen).toBe(true);
      expect(r.exitCode, r.screen).toBe(3);
      const plain = stripAnsi(r.screen);
      expect(plain).toContain("open 8080/tcp");
      expect(plain).toContain("/etc/nixos/nixi/firewall.nix");
      expect(plain).toMatch(/Apply these changes\? .*No/);
      expect(plain).toContain("declined: nothing was changed");
      expect(treeHash(root)).toBe(before);
      expect(rebuilds(root)).toEqual([]);
    });

    it("Enter alone takes the default, which is No", async () => {
      const root = makeRoot();
      const before = treeHash(root);
      const r = await onTty(nixi(`fw open 8080 --root ${sq(root)}`), { answer: "\r", env: fakeEnv(root) });
      expect(r.prompted).toBe(true);
      expect(r.exitCode, r.screen).toBe(3);
      expect(stripAnsi(r.screen)).toContain("(y/N)");
      // a fresh machine: the folders made for the lock are gone again
      expect(treeHash(root)).toBe(before);
      expect(rebuilds(root)).toEqual([]);
    });

    it('answering "y": applied, nixos-rebuild switch run once', async () => {
      const root = await stagedRoot();
      const r = await onTty(nixi(`fw open 8080 --root ${sq(root)}`), { answer: "y", env: fakeEnv(root) });
      expect(r.prompted, r.screen).toBe(true);
      expect(r.exitCode, r.screen).toBe(0);
      expect(stripAnsi(r.screen)).toMatch(/Apply these changes\? .*Yes/);
      expect(read(root, `${NIXI_DIR}/firewall.nix`)).toMatch(/allowedTCPPorts = \[\s*22\s+8080\s*\]/);
      expect(rebuilds(root)).toEqual(["nixos-rebuild switch"]);
    });

    it("--no-input on a terminal: no prompt, exit 3, nothing changed", async () => {
      const root = await stagedRoot();
      const before = treeHash(root);
      const r = await onTty(nixi(`fw open 8080 --no-input --root ${sq(root)}`), { env: fakeEnv(root) });
      expect(r.prompted).toBe(false);
      expect(r.exitCode, r.screen).toBe(3);
      expect(stripAnsi(r.screen)).toContain("add --yes");
      expect(treeHash(root)).toBe(before);
    });

    it('a "y" piped into stdin is not a confirmation (stdin is not a terminal)', async () => {
      const root = await stagedRoot();
      const before = treeHash(root);
      const r = await onTty(`echo y | ${nixi(`fw open 8080 --root ${sq(root)}`)}`, { env: fakeEnv(root) });
      expect(r.prompted).toBe(false);
      expect(r.exitCode, r.screen).toBe(3);
      expect(stripAnsi(r.screen)).toContain("open 8080/tcp"); // the plan is still shown
      expect(treeHash(root)).toBe(before);
      expect(rebuilds(root)).toEqual([]);
    });

    it("--yes on a terminal: no prompt, applied", async () => {
      const root = await stagedRoot();
      const r = await onTty(nixi(`fw open 8080 --yes --root ${sq(root)}`), { env: fakeEnv(root) });
      expect(r.prompted).toBe(false);
      expect(r.exitCode, r.screen).toBe(0);
      expect(rebuilds(root)).toEqual(["nixos-rebuild switch"]);
    });

    it("Ctrl-C at the prompt declines: exit 3, nothing changed", async () => {
      const root = await stagedRoot();
      const before = treeHash(root);
      const r = await onTty(nixi(`fw open 8080 --root ${sq(root)}`), { answer: "\x03", env: fakeEnv(root) });
      expect(r.prompted).toBe(true);
      expect(r.exitCode, r.screen).toBe(3);
      expect(r.screen).toContain("interrupted: nothing was changed");
      expect(treeHash(root)).toBe(before);
      expect(rebuilds(root)).toEqual([]);
    });
  });
});
