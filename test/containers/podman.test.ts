// Real containers: Debian podman (+ runc, CNI dnsname) with the test-bed containers.conf, an image
// imported from a busybox-static rootfs, nixi's generated containers.nix "activated" by oci-sim.ts,
// then the real CLI: list, inspect, logs, stop/start/restart (runtime path and systemd-unit path),
// name resolution on the `nixi` network, and the docker code path (docker CLI -> podman system service).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, copyFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { activate, sh } from "./oci-sim.js";
import { tempDir } from "../helpers/tree.js";

const CONTAINERS_CONF = fileURLToPath(new URL("../../../shared/testbed/containers.conf", import.meta.url));
const FAKE_SYSTEMCTL_DIR = fileURLToPath(new URL("./fakes", import.meta.url));
const tag = `nxt${process.pid}`;
const IMAGE = `localhost/${tag}:test`;
const SRV = `${tag}s`; // server container
const CLI = `${tag}c`; // client container
const DSRV = `${tag}d`; // docker-path container
const env: Record<string, string> = { CONTAINERS_CONF };
const penv = { ...process.env, CONTAINERS_CONF };
const created = { containers: [] as string[], network: false, image: false };
let root: string;
let droot: string;
let port: number;
let service: ChildProcess | null = null;
let sock = "";
const SECRET = `tok-${process.pid}-XyZ`;

const podman = (...args: string[]) => sh(["podman", ...args], penv);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as any).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  // image: busybox-static rootfs with relative applet links (busybox --install -s would write absolute ones)
  const rootfs = tempDir("nixi-ct-rootfs-");
  await mkdir(join(rootfs, "bin"));
  await mkdir(join(rootfs, "tmp"));
  await mkdir(join(rootfs, "data"));
  await copyFile("/usr/bin/busybox", join(rootfs, "bin/busybox"));
  const list = await sh([join(rootfs, "bin/busybox"), "--list"]);
  for (const a of list.stdout.split("\n").filter((x) => x && x !== "busybox")) await symlink("busybox", join(rootfs, "bin", a));
  const imp = await sh(["sh", "-c", `tar -C '${rootfs}' -c . | podman import --change 'ENV PATH=/bin' - '${IMAGE}'`], penv);
  expect(imp.code, imp.stderr).toBe(0);
  created.image = true;
  await rm(rootfs, { recursive: true, force: true });
  created.network = (await podman("network", "exists", "nixi")).code !== 0;

  root = tempDir("nixi-ct-podman-");
  port = await freePort();
  const server = `sh -c 'echo hello-from-srv; echo warn-from-srv >&2; echo "$GREETING" > /data/greeting; exec nc -ll -p 80 -e echo hi'`;
  let r = await run(["container", "deploy", SRV, "--image", IMAGE, "--port", `127.0.0.1:${port}:80`, "--env", "GREETING=hello", "--env-secret", "TOKEN", "--volume", "data:/data", "--cmd", server, "--backend", "podman", "--yes", "--no-rebuild", "--root", root], { stdin: SECRET, env });
  expect(r.exitCode, r.stderr).toBe(0);
  r = await run(["container", "deploy", CLI, "--image", IMAGE, "--cmd", `sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'`, "--depends-on", SRV, "--yes", "--no-rebuild", "--root", root], { env });
  expect(r.exitCode, r.stderr).toBe(0);
  created.containers.push(SRV, CLI);
  const a = await activate(root, penv);
  expect(a.started).toEqual([SRV, CLI]);
  await waitFor("server log line", async () => (await podman("logs", SRV)).stdout.includes("hello-from-srv"));
}, 120_000);

afterAll(async () => {
  const problems: string[] = [];
  for (const c of created.containers) {
    const r = await podman("rm", "-f", "-t", "0", c);
    if (r.code !== 0 && !/no such container/i.test(r.stderr)) problems.push(`rm ${c}: ${r.stderr.trim()}`);
  }
  if (created.network) {
    const r = await podman("network", "rm", "-f", "nixi");
    if (r.code !== 0) problems.push(`network rm nixi: ${r.stderr.trim()}`);
  }
  if (created.image) await podman("rmi", "-f", IMAGE);
  if (service?.pid) service.kill("SIGTERM");
  if (sock) await rm(sock, { force: true });
  expect(problems).toEqual([]);
}, 60_000);

describe("real podman", () => {
  test("containers.nix really runs: env, environmentFiles secret, volume under /srv/<name>/, published port", async () => {
    expect((await podman("exec", SRV, "sh", "-c", 'echo "$TOKEN"')).stdout.trim()).toBe(SECRET);
    expect((await podman("exec", SRV, "sh", "-c", 'echo "$GREETING"')).stdout.trim()).toBe("hello");
    await waitFor("greeting file", async () => existsSync(join(root, "srv", SRV, "data/greeting")));
    expect((await readFile(join(root, "srv", SRV, "data/greeting"), "utf8")).trim()).toBe("hello");
    const got = await sh(["sh", "-c", `echo x | busybox nc -w 3 127.0.0.1 ${port}`]);
    expect(got.stdout.trim()).toBe("hi");
  });

  test("two containers on the nixi network resolve and reach each other by name", async () => {
    const ns = await podman("exec", CLI, "nslookup", SRV);
    expect(ns.code, ns.stdout + ns.stderr).toBe(0);
    expect(ns.stdout).toMatch(new RegExp(`Name:\\s+${SRV}`));
    const talk = await podman("exec", CLI, "sh", "-c", `echo x | nc -w 3 ${SRV} 80`);
    expect(talk.stdout.trim()).toBe("hi");
    const info = JSON.parse((await podman("network", "inspect", "nixi")).stdout)[0];
    expect(info.dns_enabled).toBe(true);
  });

  test("container list: declared and running, ports, uptime (human and --json)", async () => {
    const r = await run(`container list --json --root ${root}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.backend).toBe("podman");
    // The docker describe's container (same tag, another root) may run too, whatever the order: not declared here.
    const ours = r.json.data.containers.filter((c: any) => c.name.startsWith(tag));
    expect(ours.filter((c: any) => ![CLI, SRV].includes(c.name)).map((c: any) => c.declared)).not.toContain(true);
    const rows = ours.filter((c: any) => [CLI, SRV].includes(c.name));
    expect(rows.map((c: any) => [c.name, c.state, c.declared])).toEqual([
      [CLI, "running", true],
      [SRV, "running", true],
    ]);
    const srv = rows.find((c: any) => c.name === SRV);
    expect(srv.ports).toEqual([`127.0.0.1:${port}:80/tcp`]);
    expect(srv.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(srv.image).toBe(IMAGE);
    const h = await run(`container list --root ${root}`, { env });
    expect(h.stdout).toMatch(new RegExp(`${SRV}\\s+${IMAGE.replace(/[.]/g, "\\.")}\\s+running\\s+127\\.0\\.0\\.1:${port}:80/tcp\\s+\\S+.*\\s+yes`));
  });

  test("container inspect: runtime details with environment values redacted; the secret never shows", async () => {
    const r = await run(`container inspect ${SRV} --json --root ${root}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const d = r.json.data;
    expect(d.runtime).toMatchObject({ name: SRV, running: true, networks: ["nixi"], ports: [`127.0.0.1:${port}:80/tcp`] });
    expect(Object.keys(d.runtime.env)).toEqual(expect.arrayContaining(["TOKEN", "GREETING"]));
    // nixi puts "<redacted>"; the envelope's own redaction may mask secret-named keys as "***" on top
    for (const v of Object.values(d.runtime.env)) expect(["<redacted>", "***"]).toContain(v);
    expect(d.runtime.mounts).toEqual([{ source: join(root, "srv", SRV, "data"), destination: "/data", readOnly: false }]);
    expect(d.declared).toMatchObject({ secretEnv: ["TOKEN"], credentialsFile: `/srv/.credentials/${SRV}.env` });
    const h = await run(`container inspect ${SRV} --root ${root}`, { env });
    for (const out of [r.stdout, r.stderr, h.stdout, h.stderr]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain("=hello");
    }
    const missing = await run(`container inspect ${tag}zz --root ${root}`, { env });
    expect(missing.exitCode).toBe(1);
  });

  test("container logs: both streams, --lines, --since, --json", async () => {
    const r = await run(`container logs ${SRV} --json --root ${root}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.lines.map((l: any) => [l.stream, l.text])).toEqual([
      ["stdout", "hello-from-srv"],
      ["stderr", "warn-from-srv"],
    ]);
    const h = await run(`container logs ${SRV} --lines 1 --root ${root}`, { env });
    expect(h.exitCode).toBe(0);
    expect(h.stdout.trim().split("\n").length).toBeLessThanOrEqual(2);
    const future = await run(`container logs ${SRV} --since 2099-01-01T00:00:00Z --json --root ${root}`, { env });
    expect(future.json.data.lines).toEqual([]);
    expect((await run(`container logs ${SRV} --since yesterday --root ${root}`, { env })).exitCode).toBe(2);
    expect((await run(`container logs ${tag}zz --root ${root}`, { env })).exitCode).toBe(1);
  });

  test("container logs --follow streams lines until the container stops", async () => {
    const FOL = `${tag}f`;
    const r0 = await run(["container", "deploy", FOL, "--image", IMAGE, "--cmd", "sh -c 'for i in 1 2 3; do echo tick$i; sleep 0.3; done'", "--yes", "--no-rebuild", "--root", root], { env });
    expect(r0.exitCode, r0.stderr).toBe(0);
    created.containers.push(FOL);
    await activate(root, penv, [FOL]);
    const t0 = Date.now();
    const r = await run(`container logs ${FOL} --follow --root ${root}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["tick1", "tick2", "tick3"]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await run(`container logs ${FOL} --follow --json --root ${root}`, { env })).exitCode).toBe(2);
  }, 30_000);

  test("stop / start / restart through the runtime when there is no systemd unit", async () => {
    let r = await run(`container stop ${CLI} --json --root ${root}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ action: "stop", via: "podman", unit: null, state: "exited" });
    r = await run(`container start ${CLI} --json --root ${root}`, { env });
    expect(r.json.data).toMatchObject({ action: "start", via: "podman", state: "running" });
    const before = JSON.parse((await podman("container", "inspect", CLI)).stdout)[0].State.StartedAt;
    r = await run(`container restart ${CLI} --root ${root}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restart via podman; now running/);
    const after = JSON.parse((await podman("container", "inspect", CLI)).stdout)[0].State.StartedAt;
    expect(after).not.toBe(before);
    // --dry-run lists the command and changes nothing
    r = await run(`container stop ${CLI} --dry-run --json --root ${root}`, { env });
    expect(r.json.plan.commands, JSON.stringify(r.json.plan)).toEqual([expect.stringMatching(new RegExp(`podman stop --time 10 ${CLI}$`))]);
    expect(JSON.parse((await podman("container", "inspect", CLI)).stdout)[0].State.Running).toBe(true);
    expect((await run(`container stop ${tag}zz --root ${root}`, { env })).exitCode).toBe(1);
  }, 60_000);

  test("stop / start through the generated unit podman-<name>.service when systemd has it", async () => {
    const log = join(root, "..", `${tag}-systemctl.log`);
    const e = { ...env, NIXI_CT_UNITS: `podman-${CLI}`, NIXI_FAKE_LOG: log };
    let r = await run(`container stop ${CLI} --json --root ${root}`, { env: e, path: [FAKE_SYSTEMCTL_DIR] });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ via: "systemd", unit: `podman-${CLI}.service`, state: "exited" });
    r = await run(`container start ${CLI} --json --root ${root}`, { env: e, path: [FAKE_SYSTEMCTL_DIR] });
    expect(r.json.data).toMatchObject({ via: "systemd", state: "running" });
    expect(await readFile(log, "utf8")).toMatch(new RegExp(`systemctl stop podman-${CLI}\\.service\\n[\\s\\S]*systemctl start podman-${CLI}\\.service`));
    await rm(log, { force: true });
  }, 60_000);
});

describe("docker code path (docker CLI against podman system service)", () => {
  beforeAll(async () => {
    sock = join(tmpdir(), `nixi-ct-${process.pid}.sock`);
    service = spawn("podman", ["system", "service", "--time=0", `unix://${sock}`], { env: penv, stdio: "ignore" });
    await waitFor("podman system service socket", async () => existsSync(sock));
    env.DOCKER_HOST = `unix://${sock}`;
    droot = tempDir("nixi-ct-docker-");
    const r = await run(["container", "deploy", DSRV, "--image", IMAGE, "--cmd", `sh -c 'echo docker-path-line; trap "exit 0" TERM; while :; do sleep 1; done'`, "--backend", "docker", "--yes", "--no-rebuild", "--root", droot], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    created.containers.push(DSRV);
    const a = await activate(droot, { ...penv, DOCKER_HOST: env.DOCKER_HOST });
    expect(a.backend).toBe("docker");
    await waitFor("docker-path log line", async () => (await podman("logs", DSRV)).stdout.includes("docker-path-line"));
  }, 60_000);

  test("list / inspect / logs / stop / start with backend docker", async () => {
    let r = await run(`container list --json --root ${droot}`, { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.backend).toBe("docker");
    const row = r.json.data.containers.find((c: any) => c.name === DSRV);
    expect(row).toMatchObject({ state: "running", declared: true, image: IMAGE });
    expect(row.uptimeSeconds).toBeGreaterThanOrEqual(0);
    r = await run(`container inspect ${DSRV} --json --root ${droot}`, { env });
    expect(r.json.data.runtime).toMatchObject({ name: DSRV, running: true });
    r = await run(`container logs ${DSRV} --json --root ${droot}`, { env });
    expect(r.json.data.lines.map((l: any) => l.text)).toContain("docker-path-line");
    r = await run(`container stop ${DSRV} --json --root ${droot}`, { env });
    expect(r.json.data).toMatchObject({ via: "docker", state: "exited" });
    r = await run(`container start ${DSRV} --json --root ${droot}`, { env });
    expect(r.json.data).toMatchObject({ via: "docker", state: "running" });
  }, 60_000);
});
