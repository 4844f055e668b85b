// `container analyze`: compose files, GitHub repositories (served by a local HTTP server standing in
// for raw.githubusercontent.com via NIXI_GITHUB_RAW_BASE) and image references -> deploy commands,
// which are then really run (staged) to prove they are valid nixi command lines.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { readFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { splitWords } from "../../src/containers/shellwords.js";
import { analyzeCompose, analyzeRunLine, checkUrl, interpolate } from "../../src/containers/analyze.js";
import { tempDir } from "../helpers/tree.js";

const REPO_DIR = fileURLToPath(new URL("../fixtures/containers/repo/", import.meta.url));
let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    requested.push(req.url ?? "");
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/redirect-out") {
      res.writeHead(302, { location: "http://198.51.100.7/compose.yml" });
      return res.end();
    }
    const rel = normalize(decodeURIComponent(url.pathname.replace(/^\/raw\//, ""))).replace(/^(\.\.\/)+/, "");
    try {
      const body = await readFile(join(REPO_DIR, rel));
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("404: Not Found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const env = () => ({ NIXI_GITHUB_RAW_BASE: `${base}/raw` });

describe("container analyze", () => {
  test("a compose file URL: one deploy command per service, dependencies first", async () => {
    const r = await run(`container analyze ${base}/raw/acme/shop/HEAD/docker-compose.yml --json`);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = r.json.data;
    expect(d.kind).toBe("compose");
    expect(d.services.map((s: any) => s.name)).toEqual(["db", "api", "web"]);
    const cmd = Object.fromEntries(d.services.map((s: any) => [s.name, s.command]));
    expect(cmd.db).toBe("nixi container deploy db --image postgres:16 --env POSTGRES_DB=shop --env POSTGRES_USER=shop --env-secret POSTGRES_PASSWORD --volume dbdata:/var/lib/postgresql/data");
    expect(cmd.api).toBe(
      "nixi container deploy api --image ghcr.io/acme/shop-api:1.4.2 --port 8000:8000/tcp --env DATABASE_HOST=db --env DATABASE_USER=shop --env LOG_LEVEL=info --env-secret DATABASE_PASSWORD --env-secret SESSION_SECRET --cmd 'serve --port 8000' --depends-on db",
    );
    expect(cmd.web).toBe(
      "nixi container deploy web --image nginx:1.27-alpine --port 8080:80/tcp --port 127.0.0.1:8443:443/tcp --volume html:/usr/share/nginx/html:ro --depends-on api --restart-policy unless-stopped",
    );
    const web = d.services.find((s: any) => s.name === "web");
    expect(web.notes.join("\n")).toMatch(/port 9000 has no host port/);
    expect(web.notes.join("\n")).toMatch(/\/etc\/localtime.*outside \/srv\/web/);
    expect(r.json.warnings.join("\n")).toMatch(/worker builds its image from source/);
    // secret values from the file never appear
    expect(r.stdout).not.toContain("changeme");
  });

  test("the printed commands are real nixi command lines: staging them all works", async () => {
    const r = await run(`container analyze ${base}/raw/acme/shop/HEAD/docker-compose.yml --json`);
    const root = tempDir("nixi-ct-analyze-");
    for (const s of r.json.data.services) {
      const argv = splitWords(s.command).slice(1);
      const secrets = argv.flatMap((a: string, i: number) => (argv[i - 1] === "--env-secret" ? [a] : []));
      const stdin = secrets.map((k: string) => `${k}=value-for-${k}`).join("\n") + "\n";
      const x = await run([...argv, ...(secrets.length === 1 ? ["--env-file", "-"] : []), "--backend", "podman", "--yes", "--no-rebuild", "--root", root], { stdin });
      expect(x.exitCode, s.command + "\n" + x.stderr).toBe(0);
    }
    const list = await run(`container list --json --root ${root}`, { path: ["/nonexistent-no-runtime"], env: { PATH: "/nonexistent-no-runtime" } });
    expect(list.json.data.containers.map((c: any) => [c.name, c.declared])).toEqual([["api", true], ["db", true], ["web", true]]);
  });

  test("human output: commands on stdout, notes as comments", async () => {
    const r = await run(`container analyze ${base}/raw/acme/shop/HEAD/docker-compose.yml`);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("nixi container deploy "))).toHaveLength(3);
    expect(lines.filter((l) => !l.startsWith("nixi ")).every((l) => l.startsWith("# "))).toBe(true);
    expect(r.stderr).toMatch(/warning: service worker builds/);
  });

  test("a GitHub repository: looks for compose files under the raw base", async () => {
    requested.length = 0;
    const r = await run(`container analyze https://github.com/acme/shop --json`, { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ kind: "github", file: "docker-compose.yml" });
    expect(r.json.data.services).toHaveLength(3);
    expect(requested).toEqual(["/raw/acme/shop/HEAD/compose.yaml", "/raw/acme/shop/HEAD/compose.yml", "/raw/acme/shop/HEAD/docker-compose.yaml", "/raw/acme/shop/HEAD/docker-compose.yml"]);
  });

  test("a GitHub repository with only README run lines", async () => {
    const r = await run(`container analyze https://github.com/acme/readme-only --json`, { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.file).toBe("README.md");
    expect(r.json.data.services[0].command).toBe(
      "nixi container deploy notes --image ghcr.io/acme/notes:2 --port 3000:3000/tcp --env TZ=UTC --env-secret NOTES_SECRET --volume notes-data:/data --cmd --verbose --restart-policy unless-stopped",
    );
  });

  test("a GitHub repository with only a Dockerfile: nothing to deploy, a hint with the exposed port", async () => {
    const r = await run(`container analyze https://github.com/acme/dockerfile-only --json`, { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.services).toEqual([]);
    expect(r.json.warnings[0]).toMatch(/Dockerfile.*--port HOST:8080/);
  });

  test("a repository with nothing usable is exit 1; a /blob/ URL reads that file", async () => {
    let r = await run(`container analyze https://github.com/acme/empty`, { env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/found no compose file/);
    r = await run(`container analyze https://github.com/acme/shop/blob/HEAD/docker-compose.yml --json`, { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.services).toHaveLength(3);
  });

  test("an image reference: one deploy command", async () => {
    const r = await run(`container analyze ghcr.io/acme/app:2 --json`);
    expect(r.exitCode).toBe(0);
    expect(r.json.data.services[0].command).toBe("nixi container deploy app --image ghcr.io/acme/app:2");
  });

  test("refusals: plain http off-host (exit 4), redirects to it (exit 4), garbage (exit 2)", async () => {
    let r = await run(`container analyze http://198.51.100.7/docker-compose.yml --json`);
    expect(r.exitCode).toBe(4);
    expect(r.json.error.code).toBe("INSECURE");
    r = await run(`container analyze ${base}/redirect-out`);
    expect(r.exitCode).toBe(4);
    r = await run(["container", "analyze", "not an image; rm -rf /"]);
    expect(r.exitCode).toBe(2);
    r = await run(`container analyze ${base}/raw/acme/readme-only/HEAD/README.md`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not a compose file|not valid YAML/);
  });
});

describe("analyzer pieces", () => {
  test("interpolation", () => {
    expect(interpolate("a-${X:-def}-${Y-d2}-$$-${Z}")).toEqual({ value: "a-def-d2-$-${Z}", unresolved: ["Z"] });
  });
  test("checkUrl", () => {
    expect(() => checkUrl("http://localhost:1/x")).not.toThrow();
    expect(() => checkUrl("https://user:pw@example.org/x")).toThrow(/credentials/);
    expect(() => checkUrl("file:///etc/passwd")).toThrow(/scheme/);
  });
  test("hostile compose values stay data", async () => {
    const { services } = await analyzeCompose(
      `services:\n  x:\n    image: alpine:3\n    environment:\n      MSG: "$$(reboot); \\"q\\""\n    command: sh -c 'echo $$HOME; rm -rf /'\n    volumes:\n      - ../../etc:/etc\n`,
      "t",
    );
    const argv = splitWords(services[0].command);
    expect(argv).toContain('MSG=$(reboot); "q"');
    expect(splitWords(argv[argv.indexOf("--cmd") + 1])).toEqual(["sh", "-c", "echo $HOME; rm -rf /"]);
    expect(services[0].notes.join()).toMatch(/leaves the project folder/);
    expect(argv).not.toContain("--volume");
  });
  test("docker run lines", () => {
    expect(analyzeRunLine("sudo docker run --rm -it -p 80:80 --name=Site nginx")!.command).toBe("nixi container deploy site --image nginx --port 80:80/tcp");
    expect(analyzeRunLine("docker build .")).toBeNull();
  });
});
