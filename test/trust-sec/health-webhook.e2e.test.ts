// Issue 9, Medium 8: the health webhook URL (a capability: the token is in it) can come from a file
// or config.toml instead of argv; on argv, and in a timer's command, it gets a warning. Through the
// built CLI, against a webhook server on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { FAKES, FIX, makeEnv, makeProfiles } from "../system/_env.js";

let server: Server;
let port = 0;
const received: string[] = [];
const TOKEN = "T0k3nZq8vW3xY7pL2mN5";

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push(req.url ?? "");
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as any).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function unhealthy() {
  const e = makeEnv({ meminfo: "meminfo-pressure" });
  makeProfiles(e);
  e.put("/proc/pressure/memory", readFileSync(join(FIX, "pressure-memory"), "utf8"));
  const bin = (cmd: string, env: Record<string, string> = {}) =>
    runBin(`${cmd} --root ${e.root}`, { path: [FAKES], env: { NIXI_FAKE_LOG: e.log, NIXI_FAKE_STATE: e.state, NIXI_FAKE_ROOT: e.root, NIXI_ROOT_EXEC: "1", ...env } });
  const cleanup = () => {
    rmSync(e.root, { recursive: true, force: true });
    rmSync(e.state, { recursive: true, force: true });
  };
  return { e, bin, cleanup };
}

describe("system health webhook sources", () => {
  it("--webhook-file: delivered, no warning, the URL nowhere in the output", async () => {
    const { e, bin, cleanup } = unhealthy();
    const file = join(e.state, "hook");
    writeFileSync(file, `# the health webhook\nhttp://127.0.0.1:${port}/hook/${TOKEN}\n`, { mode: 0o600 });
    const before = received.length;
    const r = await bin(`system health --json --disk-percent 100 --webhook-file ${file}`);
    expect(r.exitCode, r.stderr).toBe(8);
    expect(r.json.data.webhook).toEqual({ sent: true, status: 204, error: null });
    expect(received.slice(before)).toEqual([`/hook/${TOKEN}`]);
    expect(r.json.warnings).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    cleanup();
  });

  it("[health] webhook in config.toml is used; a bad value there is an error naming config.toml", async () => {
    const { e, bin, cleanup } = unhealthy();
    const cfg = join(e.state, "config.toml");
    writeFileSync(cfg, `[health]\nwebhook = "http://127.0.0.1:${port}/cfg/${TOKEN}"\n`);
    const before = received.length;
    let r = await bin("system health --json --disk-percent 100", { NIXI_CONFIG: cfg });
    expect(r.exitCode, r.stderr).toBe(8);
    expect(received.slice(before)).toEqual([`/cfg/${TOKEN}`]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    writeFileSync(cfg, `[health]\nwebhook = "ftp://x/${TOKEN}"\n`);
    r = await bin("system health --json --disk-percent 100", { NIXI_CONFIG: cfg });
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/config\.toml \[health\] webhook/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    cleanup();
  });

  it("--webhook URL on argv still works but warns, without repeating the URL", async () => {
    const { bin, cleanup } = unhealthy();
    const r = await bin(`system health --json --disk-percent 100 --webhook http://127.0.0.1:${port}/argv/${TOKEN}`);
    expect(r.exitCode, r.stderr).toBe(8);
    expect(r.json.data.webhook.sent).toBe(true);
    expect(r.json.warnings.join(" ")).toMatch(/--webhook URL is on the command line.*--webhook-file/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    cleanup();
  });

  it("--webhook and --webhook-file together are a usage error", async () => {
    const { e, bin, cleanup } = unhealthy();
    writeFileSync(join(e.state, "hook"), `http://127.0.0.1:${port}/x\n`);
    const r = await bin(`system health --json --webhook http://127.0.0.1:${port}/y --webhook-file ${join(e.state, "hook")}`);
    expect(r.exitCode).toBe(2);
    cleanup();
  });

  it("timer create warns about a webhook URL or a token URL in its command, not about --webhook-file", async () => {
    const { bin, cleanup } = unhealthy();
    for (const cmd of [`nixi system health --webhook https://hooks.example.org/${TOKEN}`, `curl -fsS -X POST https://chat.example.org/services/T0001/B0001/${TOKEN}`]) {
      const r = await bin(`timer create hc --command '${cmd}' --on-calendar daily --yes --no-rebuild --json`);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.json.warnings.join(" ")).toMatch(/URL that looks like it carries a token/);
      expect((await bin("timer remove hc --yes --no-rebuild")).exitCode).toBe(0);
    }
    const r = await bin(`timer create hc --command 'nixi system health --webhook-file /srv/.credentials/health-webhook' --on-calendar daily --yes --no-rebuild --json`);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json.warnings).toEqual([]);
    cleanup();
  });
});
