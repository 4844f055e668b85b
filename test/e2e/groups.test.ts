// End-to-end: the freshly built `bin/nixi` (test/setup/global.ts builds before any test) for every
// command group's main success path and main error path, compared by exit code and envelope
// (ok, command, error.code). The in-process tests call main() from the sources; these catch what
// only the bundle gets wrong (a CommonJS dependency's exports on `default`, a missing chunk, exit codes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { readFileSync, readdirSync, statSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runBin, REPO, type RunResult } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { treeHash } from "../helpers/tree.js";
import { FAKES, makeEnv, cleanupEnvs, type Env } from "../system/_env.js";
import { COMMANDS } from "../../src/commands/registry.js";

const EXIT = { INVALID_ARGUMENT: 2, USAGE: 2, NOT_FOUND: 1, FAILED: 1, PATH_OUTSIDE_SRV: 4 } as const;

interface Case {
  group: string;
  ok: string;
  /** The error path: the command line and the error code it must give (nothing may change). */
  bad: string;
  badCode: keyof typeof EXIT;
  /** For a change: the success path must report changed: true. */
  changes?: boolean;
  /** Run the error path against an empty root (no /etc/nixos). */
  emptyRoot?: boolean;
}

// `--root R --json` is appended to each line.
const CASES: Case[] = [
  { group: "channel", ok: "channel add foo https://example.org/x.tar.gz --yes", changes: true, bad: "channel remove nosuch --yes", badCode: "NOT_FOUND" },
  { group: "completion", ok: "completion bash", bad: "completion tcsh", badCode: "INVALID_ARGUMENT" },
  { group: "config", ok: "config set time.timeZone Europe/Berlin --yes --no-rebuild", changes: true, bad: "config set bad..path 1 --yes", badCode: "INVALID_ARGUMENT" },
  { group: "container", ok: "container deploy web --image nginx:1.27 --yes --no-rebuild", changes: true, bad: "container deploy Bad! --image x --yes", badCode: "INVALID_ARGUMENT" },
  { group: "fw", ok: "fw open 8080 --yes", changes: true, bad: "fw open 99999 --yes", badCode: "INVALID_ARGUMENT" },
  { group: "gpu", ok: "gpu amd enable --yes --no-rebuild", changes: true, bad: "gpu nvidia configure --driver bogus --yes", badCode: "USAGE" },
  { group: "init", ok: "init --yes", bad: "init --yes", badCode: "NOT_FOUND", emptyRoot: true },
  { group: "mount", ok: "mount list", bad: "mount unmount /nonexist --yes", badCode: "FAILED" },
  { group: "file", ok: "file read web/config/app.conf", bad: "file read ../etc/shadow", badCode: "PATH_OUTSIDE_SRV" },
  { group: "net", ok: "net interfaces", bad: "net check db:0", badCode: "INVALID_ARGUMENT" },
  { group: "option", ok: "option show services.openssh.enable", bad: "option show services.nonexistent.thing", badCode: "INVALID_ARGUMENT" },
  { group: "node", ok: "node list", bad: "node remove nosuch --yes", badCode: "INVALID_ARGUMENT" },
  { group: "pkg", ok: "pkg install htop --yes --no-rebuild", changes: true, bad: "pkg install nosuchpkg --yes --no-rebuild", badCode: "INVALID_ARGUMENT" },
  { group: "security", ok: "security harden --check auto-upgrade --yes --no-rebuild", changes: true, bad: "security harden --check no-such-check --yes", badCode: "INVALID_ARGUMENT" },
  { group: "service", ok: "service restart nginx.service --yes", changes: true, bad: "service restart nosuch.service --yes", badCode: "NOT_FOUND" },
  { group: "system", ok: "system rebuild --yes", changes: true, bad: "system rollback --to 999999 --yes", badCode: "INVALID_ARGUMENT" },
  { group: "timer", ok: "timer create backup --on-calendar daily --command /bin/true --yes --no-rebuild", changes: true, bad: "timer status nosuch", badCode: "NOT_FOUND" },
  { group: "user", ok: "user add alice --yes --no-rebuild", changes: true, bad: "user add Bad --yes", badCode: "INVALID_ARGUMENT" },
];

let e: Env;
let empty: string;
const bin = (line: string, env: Record<string, string> = {}, root = e.root): Promise<RunResult> =>
  runBin(`${line} --root ${root} --json`, {
    path: [FAKES],
    env: { NIXI_ROOT_EXEC: "1", NIXI_FAKE_LOG: e.log, NIXI_FAKE_STATE: e.state, NIXI_FAKE_ROOT: e.root, ...env },
  });
const nameOf = (line: string) => {
  const words = line.split(" ");
  const paths = COMMANDS.map((c) => c.path).filter((p) => p.every((w, i) => words[i] === w));
  return paths.sort((a, b) => b.length - a.length)[0].join(" ");
};

beforeAll(() => {
  e = makeEnv();
  e.put("/srv/web/config/app.conf", "listen = 80\n");
  empty = mkdtempSync(join(tmpdir(), "nixi-e2e-empty-"));
});
afterAll(() => {
  cleanupEnvs();
  rmSync(empty, { recursive: true, force: true });
});

describe("built CLI: bin/nixi is fresh", () => {
  it("dist/main.js is newer than every source file", () => {
    const newest = (dir: string): number =>
      Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((d) => (d.isDirectory() ? newest(join(dir, d.name)) : statSync(join(dir, d.name)).mtimeMs)));
    expect(statSync(join(REPO, "dist/main.js")).mtimeMs).toBeGreaterThanOrEqual(newest(join(REPO, "src")));
  });

  it("the cases cover every command group", () => {
    // ask's success path needs an Ollama-compatible server: test/ask/e2e.test.ts runs bin/nixi ask against a scripted one
    const ELSEWHERE = ["ask"];
    expect([...CASES.map((c) => c.group), ...ELSEWHERE].sort()).toEqual([...new Set(COMMANDS.map((c) => c.path[0]))].sort());
  });
});

describe("built CLI: every group's main success and error path", () => {
  for (const c of CASES) {
    it(`${c.group}: ${c.ok} succeeds`, async () => {
      const r = await bin(c.ok);
      expect(r.exitCode, r.stderr).toBe(0);
      const env = expectEnvelope(r.json);
      expect(env.ok).toBe(true);
      expect(env.command).toBe(nameOf(c.ok));
      if (c.changes) expect(env.changed).toBe(true);
    });

    it(`${c.group}: ${c.bad} fails with ${c.badCode} and changes nothing`, async () => {
      const root = c.emptyRoot ? empty : e.root;
      const before = treeHash(root);
      const r = await bin(c.bad, {}, root);
      expect(r.exitCode, r.stderr).toBe(EXIT[c.badCode]);
      const env = expectEnvelope(r.json);
      expect(env.ok).toBe(false);
      expect(env.command).toBe(nameOf(c.bad));
      expect(env.error.code).toBe(c.badCode);
      expect(r.stderr).not.toMatch(/internal error|is not a function/);
      expect(treeHash(root)).toBe(before);
    });
  }
});

describe("built CLI: lazily loaded dependencies", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    const compose = readFileSync(join(REPO, "test/fixtures/containers/repo/acme/shop/HEAD/docker-compose.yml"));
    server = createServer((req, res) => {
      if (req.url === "/docker-compose.yml") res.end(compose);
      else if (req.url === "/broken.yml") res.end("services: [unclosed\n");
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("container analyze <compose URL> parses YAML (yaml is CommonJS in the bundle)", async () => {
    const r = await bin(`container analyze ${base}/docker-compose.yml`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).ok).toBe(true);
    expect(r.json.data.services.map((s: any) => s.name)).toEqual(["db", "api", "web"]);
  });

  it("container analyze of broken YAML is a clear INVALID_ARGUMENT", async () => {
    const r = await bin(`container analyze ${base}/broken.yml`);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.code).toBe("INVALID_ARGUMENT");
    expect(r.json.error.message).toMatch(/not valid YAML/);
  });

  it("a confirmed change's plan carries a unified diff (diff)", async () => {
    const r = await bin("fw open 9090 --dry-run");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.stringify(r.json.plan.files)).toMatch(/@@ .* @@/);
  });

  it("config.toml is read with smol-toml", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixi-e2e-cfg-"));
    try {
      writeFileSync(join(dir, "config.toml"), '[[nodes]]\nname = "web2"\nhost = "127.0.0.1"\nmode = "monitored"\n');
      const r = await runBin("node list --json --no-input", { env: { NIXI_CONFIG: join(dir, "config.toml") }, timeoutMs: 30_000 });
      expect(r.stderr).not.toMatch(/is not a function/);
      expect(expectEnvelope(r.json).command).toBe("node list");
      expect(r.json.data.map((n: any) => n.name)).toContain("web2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
