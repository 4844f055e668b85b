// net and file over SSH: a managed and a monitored node (real OpenSSH sshd on loopback). The nodes
// are this machine, so the file commands work in a /srv/<name>/ folder this test creates and removes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { cleanup, makeKey, startSshd, type Sshd, writeInventory } from "../helpers/sshd.js";

let work: string;
let home: string;
let mon: Sshd;
let web: Sshd;
let cfg: string;
const NAME = `nixi-nodes-${process.pid}`;
const SRV = `/srv/${NAME}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-netnodes-"));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  [mon, web] = await Promise.all([startSshd({ authorizedKeys: [key.publicKey] }), startSshd({ authorizedKeys: [key.publicKey] })]);
  ({ cfg } = writeInventory(work, [{ name: "mon", port: mon.port, mode: "monitored" }, { name: "web", port: web.port }]));
  mkdirSync(join(SRV, "config"), { recursive: true });
  writeFileSync(join(SRV, "config/app.conf"), "listen = 80\n");
});

afterAll(async () => {
  await cleanup();
  rmSync(SRV, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg });

describe("net over --node", () => {
  it("every net command runs on a monitored node (read class), and fans out over both nodes", async () => {
    for (const cmd of [["net", "interfaces"], ["net", "routes"], ["net", "listen"], ["net", "ping", "127.0.0.1", "--count", "1"], ["net", "resolve", "localhost"], ["net", "check", `127.0.0.1:${web.port}`], ["net", "trace", "127.0.0.1", "--max-hops", "2"]]) {
      const r = await runBin(["--json", "--node", "mon", ...cmd], { env: env() });
      expect(r.exitCode, `${cmd.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(expectEnvelope(r.json)).toMatchObject({ ok: true, node: "mon", command: cmd.slice(0, 2).join(" ") });
    }
    // "which nodes can reach it": one answer per node (the controller too)
    const all = await runBin(["--json", "--all-nodes", "net", "check", `127.0.0.1:${mon.port}`], { env: env() });
    expect(all.exitCode, all.stdout).toBe(0);
    const res = expectEnvelope(all.json).results;
    expect(res.map((x: any) => [x.node, x.ok, x.data.state])).toEqual([["local", true, "open"], ["mon", true, "open"], ["web", true, "open"]]);
    // a port nobody listens on: each node fails, exit 1 from every node
    const closed = await runBin(["--json", "--all-nodes", "net", "check", "127.0.0.1:1"], { env: env() });
    expect(expectEnvelope(closed.json).results.map((x: any) => [x.node, x.ok, x.error.code])).toEqual([["local", false, "FAILED"], ["mon", false, "FAILED"], ["web", false, "FAILED"]]);
    // the listen table over SSH sees the node's sshd
    const l = await runBin(["--json", "--node", "web", "net", "listen", "--tcp"], { env: env() });
    expect(l.json.data.listeners.some((x: any) => x.port === web.port && x.address === "127.0.0.1" && x.firewall === "loopback")).toBe(true);
  });
});

describe("file over --node", () => {
  it("managed: write, read, list, delete under /srv/<name>/ on the node", async () => {
    const w = await runBin(["--json", "--node", "web", "file", "write", `${NAME}/config/new.conf`, "--yes"], { env: env(), stdin: "a = 1\n" });
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    expect(readFileSync(join(SRV, "config/new.conf"), "utf8")).toBe("a = 1\n");
    const r = await runBin(["--json", "--node", "web", "file", "read", `${NAME}/config/new.conf`], { env: env() });
    expect(r.json.data.content).toBe("a = 1\n");
    const ls = await runBin(["--json", "--node", "web", "file", "list", NAME + "/config"], { env: env() });
    expect(ls.json.data.entries.map((e: any) => e.name)).toEqual(["app.conf", "new.conf"]);
    const d = await runBin(["--json", "--node", "web", "file", "delete", `${NAME}/config/new.conf`, "--yes"], { env: env() });
    expect(d.exitCode, d.stdout).toBe(0);
    expect(existsSync(join(SRV, "config/new.conf"))).toBe(false);
    const out = await runBin(["--json", "--node", "web", "file", "read", "/srv/../etc/shadow"], { env: env() });
    expect(out.exitCode).toBe(4);
  });

  it("monitored: list and read work; write and delete are refused by the executor (exit 4), nothing changes", async () => {
    expect((await runBin(["--json", "--node", "mon", "file", "read", `${NAME}/config/app.conf`], { env: env() })).json.data.content).toBe("listen = 80\n");
    expect((await runBin(["--json", "--node", "mon", "file", "list", NAME], { env: env() })).exitCode).toBe(0);
    const w = await runBin(["--json", "--node", "mon", "file", "write", `${NAME}/config/app.conf`, "--yes"], { env: env(), stdin: "listen = 81\n" });
    expect(w.exitCode, w.stdout).toBe(4);
    expect(w.json.error.code).toBe("MONITORED");
    const d = await runBin(["--json", "--node", "mon", "file", "delete", `${NAME}/config/app.conf`, "--yes"], { env: env() });
    expect(d.exitCode).toBe(4);
    expect(readFileSync(join(SRV, "config/app.conf"), "utf8")).toBe("listen = 80\n");
  });
});
