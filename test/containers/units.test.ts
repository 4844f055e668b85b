// Pure pieces: validation schemas, volume parsing, shell words, runtime JSON parsers (real captured output).
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { ContainerName, ImageRef, EnvKey, EnvPair, PortSpec, parseImageRef, parsePort, looksSecret } from "../../src/containers/validate.js";
import { parseVolume, dataFolders } from "../../src/containers/volumes.js";
import { splitWords } from "../../src/containers/shellwords.js";
import { shQuote } from "../../src/exec/quote.js";
import { parsePodmanPs, parseDockerPs, parseInspect, parseDockerPorts, parseLogStream, mergeLogs, detectBackend, unitExists } from "../../src/containers/runtime.js";
import { parseDotenv, renderEnvFile } from "../../src/containers/secrets.js";
import { NixiError } from "../../src/core/errors.js";

const FIX = new URL("../fixtures/containers/", import.meta.url);
const fixture = (f: string) => readFileSync(new URL(f, FIX), "utf8");

describe("names, images, env keys, ports", () => {
  test.each(["web", "a", "db-1", "my_app.v2", "0abc", "a".repeat(63)])("name %s is valid", (n) => expect(ContainerName.safeParse(n).success).toBe(true));
  test.each(["", "Web", "-web", ".web", "_x", "a b", "a/b", "a;b", "a".repeat(64), "web\n", "x..y", "ünï", "$(id)"])("name %j is refused", (n) =>
    expect(ContainerName.safeParse(n).success).toBe(false),
  );
  test.each([
    "nginx",
    "nginx:1.27",
    "library/nginx:1.27-alpine",
    "ghcr.io/owner/app:v1",
    "localhost/busybox:test",
    "registry.example.com:5000/team/app",
    "docker.io/library/redis@sha256:" + "a".repeat(64),
    "postgres:16@sha256:" + "0".repeat(64),
  ])("image %s is valid", (i) => expect(ImageRef.safeParse(i).success).toBe(true));
  test.each(["", "Nginx", "nginx:", "nginx:tag with space", "nginx;rm -rf /", "a//b", "-nginx", "nginx@sha256:xyz", "${IMAGE}", "ng\"inx", "nginx:1\n2", "x".repeat(300)])(
    "image %j is refused",
    (i) => expect(ImageRef.safeParse(i).success).toBe(false),
  );
  test("image parts", () => {
    expect(parseImageRef("ghcr.io/o/a:v1")).toEqual({ domain: "ghcr.io", path: "o/a", tag: "v1", digest: undefined });
    expect(parseImageRef("user/app")).toEqual({ domain: undefined, path: "user/app", tag: undefined, digest: undefined });
  });
  test("env keys and pairs", () => {
    expect(EnvKey.safeParse("DB_PASSWORD").success).toBe(true);
    for (const k of ["1X", "A-B", "", "A B", "${X}"]) expect(EnvKey.safeParse(k).success).toBe(false);
    expect(EnvPair.parse("A=b=c")).toEqual({ key: "A", value: "b=c" });
    expect(EnvPair.parse("EMPTY=")).toEqual({ key: "EMPTY", value: "" });
    for (const p of ["=x", "A", "A B=x", "A=\0"]) expect(EnvPair.safeParse(p).success).toBe(false);
  });
  test("ports", () => {
    expect(PortSpec.parse("8080:80")).toBe("8080:80/tcp");
    expect(PortSpec.parse("53:53/UDP")).toBe("53:53/udp");
    expect(PortSpec.parse("127.0.0.1:5432:5432")).toBe("127.0.0.1:5432:5432/tcp");
    expect(PortSpec.parse("[::1]:8080:80")).toBe("[::1]:8080:80/tcp");
    expect(parsePort("1.2.3.4:1:65535/tcp")).toEqual({ hostIp: "1.2.3.4", hostPort: 1, containerPort: 65535, proto: "tcp" });
    for (const p of ["80", "0:80", "70000:80", "8080:80/sctp", "a:b", "8080-8090:80", "999.1.1.1:80:80", "8080:80;id", ":80", "8080:"]) expect(PortSpec.safeParse(p).success, p).toBe(false);
  });
  test("secret-looking names", () => {
    for (const k of ["DB_PASSWORD", "POSTGRES_PASSWORD", "API_KEY", "SECRET_KEY_BASE", "GITHUB_TOKEN", "MYSQL_ROOT_PASSWORD", "PASSWORD", "AWS_SECRET_ACCESS_KEY"]) expect(looksSecret(k), k).toBe(true);
    for (const k of ["TZ", "PORT", "POSTGRES_DB", "LOG_LEVEL", "KEYBOARD_LAYOUT"]) expect(looksSecret(k), k).toBe(false);
  });
});

describe("volume specs (lexical)", () => {
  test("good specs normalise", () => {
    expect(parseVolume("data:/var/lib/app")).toEqual({ sub: "data", containerPath: "/var/lib/app", options: [] });
    expect(parseVolume("./conf/nginx/:/etc/nginx:ro")).toEqual({ sub: "conf/nginx", containerPath: "/etc/nginx", options: ["ro"] });
    expect(parseVolume("db:/x:ro,Z").options).toEqual(["ro", "Z"]);
  });
  test("host-side problems are PATH_OUTSIDE_SRV (exit 4), container-side problems are usage errors", () => {
    const code = (s: string) => {
      try {
        parseVolume(s);
        return "ok";
      } catch (e) {
        return (e as NixiError).code;
      }
    };
    expect(code("../etc:/x")).toBe("PATH_OUTSIDE_SRV");
    expect(code("/etc/passwd:/x")).toBe("PATH_OUTSIDE_SRV");
    expect(code("data")).toBe("INVALID_ARGUMENT");
    expect(code("data:relative")).toBe("INVALID_ARGUMENT");
    expect(code("data:/x:rw,exec")).toBe("INVALID_ARGUMENT");
    expect(code("data:/x/../etc")).toBe("INVALID_ARGUMENT");
  });
  test("data folders include every prefix", () => {
    expect(dataFolders("web", [parseVolume("a/b/c:/x"), parseVolume("d:/y")])).toEqual(["/srv/web", "/srv/web/a", "/srv/web/a/b", "/srv/web/a/b/c", "/srv/web/d"]);
  });
});

describe("shell words (--cmd)", () => {
  test("quotes, escapes, nothing expanded", () => {
    expect(splitWords(`nginx -g 'daemon off;'`)).toEqual(["nginx", "-g", "daemon off;"]);
    expect(splitWords(`sh -c "echo \\"\${HOME}\\" \\$x; ls"`)).toEqual(["sh", "-c", `echo "\${HOME}" $x; ls`]);
    expect(splitWords(`a\\ b '' "" c`)).toEqual(["a b", "", "", "c"]);
    expect(splitWords("  ")).toEqual([]);
    expect(() => splitWords(`echo 'unterminated`)).toThrow(/unterminated/);
  });
  test("round trip with POSIX quoting", () => {
    const words = ["sh", "-c", "echo $(id) `x` 'q' \"d\" ; | &", "", "a\nb", "~", "=x"];
    expect(splitWords(words.map(shQuote).join(" "))).toEqual(words);
  });
});

describe("runtime JSON parsers on real captured output", () => {
  test("podman ps -a --format json", () => {
    const rows = parsePodmanPs(fixture("podman-ps.json"));
    const web = rows.find((r) => r.name === "nixifix-web")!;
    expect(web).toMatchObject({ state: "running", image: "localhost/nixifix:test", ports: ["127.0.0.1:18080:80/tcp", "18053:53/udp"], networks: ["nixifix-net"] });
    expect(web.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const db = rows.find((r) => r.name === "nixifix-db")!;
    expect(db).toMatchObject({ state: "exited", ports: [], startedAt: undefined });
    expect(parsePodmanPs("[]")).toEqual([]);
    expect(() => parsePodmanPs("NAMES  IMAGE")).toThrow(/JSON/);
  });
  test("docker ps --format '{{json .}}'", () => {
    const rows = parseDockerPs(fixture("docker-ps.jsonl"));
    expect(rows.map((r) => r.name).sort()).toEqual(["nixifix-db", "nixifix-web"]);
    expect(rows.find((r) => r.name === "nixifix-web")).toMatchObject({ state: "running", ports: ["127.0.0.1:18080:80/tcp"], networks: ["nixifix-net"] });
    expect(parseDockerPorts("0.0.0.0:8080->80/tcp, :::8080->80/tcp, 127.0.0.1:9000-9001->9000-9001/udp, 443/tcp")).toEqual(["127.0.0.1:9000:9000/udp", "127.0.0.1:9001:9001/udp", "8080:80/tcp"]);
  });
  test.each(["podman-inspect-web.json", "docker-inspect-web.json"])("%s: details with environment values redacted", (f) => {
    const d = parseInspect(JSON.parse(fixture(f))[0]);
    expect(d).toMatchObject({ name: "nixifix-web", image: "localhost/nixifix:test", running: true, state: "running", ports: ["127.0.0.1:18080:80/tcp", "18053:53/udp"].sort(), networks: ["nixifix-net"] });
    expect(d.mounts).toEqual([{ source: "/tmp/rootfs/tmp", destination: "/data", readOnly: true }]);
    expect(d.env.DB_PASSWORD).toBe("<redacted>");
    expect(JSON.stringify(d)).not.toContain("hunter2-fixture");
  });
  test("logs --timestamps: both streams merged in time order", () => {
    const out = parseLogStream(fixture("podman-logs-web.stdout"), "stdout");
    const err = parseLogStream(fixture("podman-logs-web.stderr"), "stderr");
    const merged = mergeLogs(out, err);
    expect(merged.map((l) => l.text)).toEqual(["started", "oops"]);
    expect(merged.map((l) => l.stream)).toEqual(["stdout", "stderr"]);
    const a = parseLogStream("2024-01-01T00:00:02Z b\ncontinued\n", "stdout");
    expect(a[1]).toEqual({ time: "2024-01-01T00:00:02Z", stream: "stdout", text: "continued" });
    expect(mergeLogs(a, parseLogStream("2024-01-01T00:00:01Z a\n", "stderr")).map((l) => l.text)).toEqual(["a", "b", "continued"]);
  });
});

describe("credentials files", () => {
  test("dotenv parse and render", () => {
    const m = parseDotenv("# c\n\nexport A=1\nB='two words'\nC=\"x=y\"\n", "f");
    expect([...m]).toEqual([["A", "1"], ["B", "two words"], ["C", "x=y"]]);
    expect(() => parseDotenv("1BAD=x", "f")).toThrow(/f:1/);
    expect(() => parseDotenv("novalue", "f")).toThrow(/KEY=VALUE/);
    expect(renderEnvFile("web", new Map([["Z", "1"], ["A", "2"]]))).toMatch(/\nA=2\nZ=1\n$/);
  });
});

describe("backend detection", () => {
  const exec = (programs: string[], showOut = "", code = 0) =>
    ({
      which: async (p: string) => (programs.includes(p) ? `/usr/bin/${p}` : null),
      run: async (argv: string[]) => {
        expect(argv.slice(0, 3)).toEqual(["systemctl", "show", "--property=LoadState"]);
        return { exitCode: code, stdout: showOut, stderr: "" };
      },
    }) as any;
  test("the state's backend wins; else podman, else docker, else null", async () => {
    expect(await detectBackend(exec(["podman", "docker"]), "docker")).toBe("docker");
    expect(await detectBackend(exec(["podman", "docker"]))).toBe("podman");
    expect(await detectBackend(exec(["docker"]))).toBe("docker");
    expect(await detectBackend(exec([]))).toBeNull();
    expect(await detectBackend(exec(["docker"]), "lxc")).toBe("docker");
  });
  test("unit existence from systemctl show", async () => {
    expect(await unitExists(exec([], "LoadState=loaded\n"), "podman-web.service")).toBe(true);
    expect(await unitExists(exec([], "LoadState=not-found\n"), "podman-web.service")).toBe(false);
    expect(await unitExists(exec([], "", 1), "podman-web.service")).toBe(false);
  });
});
