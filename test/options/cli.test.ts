// option show / option search / config get through the built bin/nixi, human and --json:
// locally (catalog only under --root without NIXI_ROOT_EXEC; the machine with the test tree) and
// over --node against a loopback sshd node that evaluates the test tree with the real nix-instantiate.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { makeNixosTree, type NixosTree } from "../helpers/nixos-tree.js";
import { cleanup, makeKey, startSshd, type Sshd } from "../helpers/sshd.js";

let tree: NixosTree;
let work: string;
let home: string;
let node: Sshd;
let cfg: string;

beforeAll(async () => {
  tree = makeNixosTree();
  work = mkdtempSync(join(tmpdir(), `nixi-opt-cli-${process.pid}-`));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  node = await startSshd({ authorizedKeys: [key.publicKey], env: { NIX_PATH: tree.env.NIX_PATH, NIX_CONFIG: tree.env.NIX_CONFIG } });
  cfg = join(work, "config.toml");
  // the node is this machine over ssh: its nixi folder and configuration.nix are the test tree's
  writeFileSync(
    cfg,
    `[ssh]\nconnect_timeout = 5\n[nixos]\ndir = "${tree.root}/etc/nixos/nixi"\nconfiguration = "${tree.root}/etc/nixos/configuration.nix"\n` +
      `\n[[nodes]]\nname = "web"\nhost = "127.0.0.1"\nport = ${node.port}\nuser = "root"\n`,
  );
}, 60_000);

afterAll(async () => {
  await cleanup();
  tree?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

// without tree.env (and so without NIXI_ROOT_EXEC): under --root the machine is not evaluated
const local = (args: string[], env: Record<string, string | undefined> = { NIXI_ROOT_EXEC: undefined }) => runBin([...args, "--root", tree.root], { env });
const remote = (args: string[]) => runBin([...args, "--node", "web"], { env: { HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg } });

describe("option show", () => {
  it("from the catalog (human): type, default, declared in, renamed from; says it was not evaluated", async () => {
    const r = await local(["option", "show", "services.openssh.settings.PasswordAuthentication"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/type: +null or boolean/);
    expect(r.stdout).toMatch(/default: +true/);
    expect(r.stdout).toMatch(/declared in: +<nixpkgs\/nixos\/modules\/services\/networking\/ssh\/sshd\.nix>/);
    expect(r.stdout).toMatch(/renamed from: +services\.openssh\.passwordAuthentication/);
    expect(r.stdout).toMatch(/not evaluated: --root/);
  });
  it("a renamed option (--json) names its replacement and release", async () => {
    const r = await local(["option", "show", "hardware.opengl.enable", "--json"]);
    expect(r.exitCode).toBe(0);
    expectEnvelope(r.json);
    expect(r.json.data.renamedTo).toEqual({ now: "hardware.graphics.enable", kind: "renamed", release: "24.11", message: null });
  });
  it("a group of options: exit 2 naming options below it", async () => {
    const r = await local(["option", "show", "services.openssh", "--json"]);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toBe("services.openssh is a group of options, not an option");
    expect(r.json.error.hint).toMatch(/services\.openssh\.enable/);
  });
  it("a mistyped path: exit 2 with did-you-mean", async () => {
    const r = await local(["option", "show", "services.opensh.enable", "--json"]);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.hint).toContain("services.openssh.enable");
  });
  it("from the machine with the test tree (NIXI_ROOT_EXEC=1): a user-declared option with its value", async () => {
    const r = await local(["option", "show", "services.myapp.mode"], tree.env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/type: +one of "fast", "safe"/);
    expect(r.stdout).toMatch(/value: +"fast"/);
    expect(r.stdout).toMatch(/known from: +machine/);
  });
  it("over --node: the node's own option tree (--json)", async () => {
    const r = await remote(["option", "show", "services.myapp.port", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expectEnvelope(r.json);
    expect(r.json.node).toBe("web");
    expect(r.json.data).toMatchObject({ known: ["machine"], value: 8080, type: "16 bit unsigned integer; between 0 and 65535 (both inclusive)", evaluation: { evaluated: true } });
  });
});

describe("option search", () => {
  it("ranked matches with --limit (human and --json)", async () => {
    const human = await local(["option", "search", "firewall", "--limit", "3"]);
    expect(human.exitCode).toBe(0);
    expect(human.stdout.split("\n")[0]).toMatch(/^networking\.firewall\.enable +boolean$/);
    expect(human.stdout.split("\n").filter((l) => l.startsWith("networking.") || l.startsWith("services."))).toHaveLength(3);
    expect(human.stdout).toMatch(/more: --limit/);
    const json = await local(["option", "search", "firewall", "allowedTCPPorts", "--limit", "1", "--json"]);
    expectEnvelope(json.json);
    expect(json.json.data.options).toEqual([{ path: "networking.firewall.allowedTCPPorts", type: "list of 16 bit unsigned integer; between 0 and 65535 (both inclusive)", default: "[ ]", description: null, known: ["catalog"], score: expect.any(Number) }]);
    expect(json.json.data.total).toBe(2); // and networking.firewall.interfaces.<name>.allowedTCPPorts
  });
  it("--limit must be a positive number", async () => {
    const r = await local(["option", "search", "ssh", "--limit", "0", "--json"]);
    expect(r.exitCode).toBe(2);
  });
  it("over --node, with --machine: the node's own options and their descriptions", async () => {
    const r = await remote(["option", "search", "openssh", "enable", "--limit", "1", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.options[0].path).toBe("services.openssh.enable");
    const m = await remote(["option", "search", "myapp", "listens", "--machine", "--json"]);
    expect(m.exitCode, m.stderr).toBe(0);
    expect(m.json.data.options).toEqual([{ path: "services.myapp.port", type: "16 bit unsigned integer; between 0 and 65535 (both inclusive)", default: null, description: "Port myapp listens on.", known: ["machine"], score: expect.any(Number) }]);
  });
  it("--machine where the machine cannot be evaluated: the catalog only, with a warning", async () => {
    const r = await local(["option", "search", "myapp", "--machine", "--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data.evaluation).toMatchObject({ evaluated: false });
    expect(r.json.warnings[0]).toMatch(/not searched: --root/);
  });
});

describe("config get", () => {
  it("locally with evaluation: value and the file it comes from (human)", async () => {
    const r = await local(["config", "get", "services.myapp.mode"], tree.env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`services.myapp.mode = "fast"\n# from ${tree.root}/etc/nixos/configuration.nix\n`);
  });
  it("without evaluation: the catalog's default, saying the machine was not evaluated (--json)", async () => {
    const r = await local(["config", "get", "networking.firewall.enable", "--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data).toMatchObject({ value: "true", source: "unknown", evaluation: { evaluated: false } });
    expect(r.json.warnings[0]).toMatch(/not evaluated/);
  });
  it("over --node: the node's effective value", async () => {
    const r = await remote(["config", "get", "networking.hostName", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ value: "web1", source: "other" });
  });
});
