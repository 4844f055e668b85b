// container analyze prints command lines for the person to run: hostile compose files and Dockerfiles
// must not smuggle shell syntax into them. Every printed line is split by a real sh into exactly the
// words nixi meant, and nothing in it runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { tempDir } from "../helpers/tree.js";

const canary = join(tempDir("nixi-sec-"), "ran");
const FILES: Record<string, string> = {
  "/raw/evil/dockerfile-only/HEAD/Dockerfile": `FROM alpine\nEXPOSE $(touch${"${IFS}"}${canary})\nEXPOSE 8080\n`,
  "/compose.yml": [
    "services:",
    "  app:",
    "    image: nginx:1.27",
    "    command: [\"sh\", \"-c\", \"echo $(touch " + canary + "); `touch " + canary + "`\"]",
    "    environment:",
    "      GREETING: \"hi'; touch " + canary + "; echo '\"",
    "      TZ: \"$(touch " + canary + ")\"",
    "    ports: [\"8080:80\"]",
  ].join("\n") + "\n",
};

let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    const body = FILES[new URL(req.url ?? "/", "http://x").pathname];
    res.writeHead(body === undefined ? 404 : 200, { "content-type": "text/plain" });
    res.end(body ?? "404: Not Found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** The words sh makes of a line (printf each word NUL-terminated), with `nixi` replaced by printf. */
function shWords(line: string): string[] {
  const out = execFileSync("/bin/sh", ["-c", line.replace(/^nixi /, "printf '%s\\0' ")], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("container analyze output is safe to paste into a shell", () => {
  it("compose values with quotes, $(...) and backticks come back as single words", async () => {
    const r = await run(`container analyze ${base}/compose.yml --json`);
    expect(r.exitCode, r.stderr).toBe(0);
    const svc = r.json.data.services[0];
    const words = shWords(svc.command);
    // sh splits the printed line back into exactly the argv nixi reports (after the program name)
    expect(words).toEqual(svc.argv.slice(1));
    expect(words).toContain(`GREETING=hi'; touch ${canary}; echo '`);
    expect(existsSync(canary)).toBe(false);
  });

  it("a Dockerfile EXPOSE with shell syntax does not reach the suggested deploy line", async () => {
    const r = await run(`container analyze https://github.com/evil/dockerfile-only --json`, { env: { NIXI_GITHUB_RAW_BASE: `${base}/raw` } });
    expect(r.exitCode, r.stderr).toBe(0);
    const hint = r.json.warnings.join("\n");
    expect(hint).toMatch(/--port HOST:8080/);
    expect(hint).not.toContain("$(");
  });
});
