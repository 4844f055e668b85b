// Honest container exposure, with real podman: the ports nixi renders for `--port` bind 127.0.0.1
// (reachable on the machine, not from another address: a test network namespace plays the
// network), and `--public` ones are reachable from the namespace. The -p values are exactly the
// `ports` strings nixi writes into containers.nix (oci-containers passes each one as `-p`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, copyFileSync, symlinkSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";

const CONF = fileURLToPath(new URL("../../../shared/testbed/containers.conf", import.meta.url));
const env = { ...process.env, CONTAINERS_CONF: CONF };
const have = spawnSync("podman", ["--version"]).status === 0 && process.getuid?.() === 0;
const ID = process.pid;
const NS = `nxsec${ID}`;
const VETH = `vxs${ID % 100000}`;
const SUBNET = `10.${200 + (ID % 50)}.${ID % 250}`;
const IMAGE = `localhost/nxsec${ID}:test`;
const PORT = 21000 + (ID % 2000);
const started: string[] = [];

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).toString();
/** Connect and read the first line, or null when refused/timed out (bounded: 3 s). */
function probe(host: string, inNs: boolean): string | null {
  const argv = ["timeout", "3", "bash", "-c", `exec 3<>/dev/tcp/${host}/${PORT} && head -1 <&3`];
  const r = spawnSync(inNs ? "ip" : argv[0], inNs ? ["netns", "exec", NS, ...argv] : argv.slice(1), { timeout: 10_000 });
  return r.status === 0 ? r.stdout.toString().trim() : null;
}

/** The container's nc serves one connection, then listens again: a reachable port may refuse the
 *  moment in between, so a positive answer is waited for (bounded: 30 tries). */
function probeUntilAnswer(host: string, inNs: boolean): string | null {
  let got: string | null = null;
  for (let i = 0; i < 30 && got === null; i++) {
    got = probe(host, inNs);
    if (got === null) spawnSync("sleep", ["0.2"]);
  }
  return got;
}

async function renderedPorts(flags: string): Promise<string[]> {
  const root = makeRoot({ "srv/.keep": "" });
  const r = await run(`container deploy echo --image ${IMAGE} --port ${PORT}:8000 ${flags} --backend podman --yes --no-rebuild --json --root ${root}`);
  expect(r.exitCode, r.stderr).toBe(0);
  const nix = readFileSync(join(root, "etc/nixos/nixi/containers.nix"), "utf8");
  for (const p of r.json.data.ports) expect(nix).toContain(`"${p}"`);
  return r.json.data.ports;
}

function startWith(ports: string[]): void {
  const name = `nxsec${ID}-${started.length}`;
  sh("podman", ["run", "-d", "--rm", "--name", name, ...ports.flatMap((p) => ["-p", p]), IMAGE, "/bin/sh", "-c", "while true; do echo hello-from-container | nc -l -p 8000; done"]);
  started.push(name);
  for (let i = 0; i < 50 && probe("127.0.0.1", false) === null && ports[0].startsWith("127."); i++) spawnSync("sleep", ["0.1"]);
}
function stopAll(): void {
  for (const n of started.splice(0)) spawnSync("podman", ["rm", "-f", "-t", "0", n], { env, timeout: 30_000 });
}

describe.skipIf(!have)("container ports with real podman", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nixi-podman-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync("/usr/bin/busybox", join(dir, "bin/busybox"));
    symlinkSync("busybox", join(dir, "bin/sh"));
    symlinkSync("busybox", join(dir, "bin/nc"));
    execFileSync("bash", ["-c", `tar -C ${dir} -c bin | podman import - ${IMAGE}`], { env, stdio: "ignore", timeout: 60_000 });
    sh("ip", ["netns", "add", NS]);
    sh("ip", ["link", "add", VETH, "type", "veth", "peer", "name", "eth0", "netns", NS]);
    sh("ip", ["addr", "add", `${SUBNET}.1/24`, "dev", VETH]);
    sh("ip", ["link", "set", VETH, "up"]);
    sh("ip", ["netns", "exec", NS, "ip", "addr", "add", `${SUBNET}.2/24`, "dev", "eth0"]);
    sh("ip", ["netns", "exec", NS, "ip", "link", "set", "eth0", "up"]);
  }, 120_000);
  afterAll(() => {
    stopAll();
    spawnSync("ip", ["link", "del", VETH]);
    spawnSync("ip", ["netns", "del", NS]);
    spawnSync("podman", ["rmi", "-f", IMAGE], { env });
    if (dir) rmSync(dir, { recursive: true, force: true });
    cleanupRoots();
  });

  it("--port HOST:CONTAINER binds 127.0.0.1: reachable on 127.0.0.1, not from another address", async () => {
    const ports = await renderedPorts("");
    expect(ports).toEqual([`127.0.0.1:${PORT}:8000/tcp`]);
    try {
      startWith(ports);
      expect(probeUntilAnswer("127.0.0.1", false)).toBe("hello-from-container");
      expect(probe(`${SUBNET}.1`, true)).toBeNull();
    } finally {
      stopAll();
    }
  }, 120_000);

  it("--public binds all addresses: reachable from the namespace (no firewall rule was needed)", async () => {
    const ports = await renderedPorts("--public");
    expect(ports).toEqual([`${PORT}:8000/tcp`]);
    try {
      startWith(ports);
      expect(probeUntilAnswer(`${SUBNET}.1`, true)).toBe("hello-from-container");
    } finally {
      stopAll();
    }
  }, 120_000);
});

describe("state written by older nixi", () => {
  it("a port without an address keeps rendering on all addresses until the container is changed; new ports bind 127.0.0.1", async () => {
    const state = `version = 1\n[containers]\nbackend = "podman"\n[containers.containers.web]\nimage = "nginx:1.27"\nports = ["8080:80/tcp"]\n`;
    const root = makeRoot({ "etc/nixos/nixi/state.toml": state, "srv/.keep": "" });
    expect((await run(`system rebuild --no-rebuild --yes --root ${root}`)).exitCode).toBeLessThan(2);
    const r = await run(`container update web --port 9090:90 --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.ports).toEqual(["8080:80/tcp", "127.0.0.1:9090:90/tcp"]);
    expect(r.json.plan.summary.join("\n")).toMatch(/127\.0\.0\.1 only/);
    // --remove-port HOST:CONTAINER finds the mapping whatever its address
    const r2 = await run(`container update web --remove-port 9090:90 --yes --no-rebuild --json --root ${root}`);
    expect(r2.json.data.ports).toEqual(["8080:80/tcp"]);
    cleanupRoots();
  });
});
