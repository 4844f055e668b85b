// nixi ask end to end through the built bin/nixi (run `npm run build` first): the real ollama
// client in a real process, the scripted Ollama server on 127.0.0.1, a monitored node over sshd.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { cleanup, makeKey, startSshd, type Sshd } from "../helpers/sshd.js";
import { startScriptedOllama, pick, fill, type ChatAnswer } from "../helpers/ollama-server.js";

let work: string;
let home: string;
let mon: Sshd;
let remoteRoot: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), `nixi-ask-e2e-${process.pid}-`));
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  mon = await startSshd({ authorizedKeys: [key.publicKey], loggers: ["podman", "docker"] });
  remoteRoot = join(work, "remote");
  mkdirSync(join(remoteRoot, "etc/nixos"), { recursive: true });
  writeFileSync(join(remoteRoot, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
});
afterAll(async () => {
  await cleanup();
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function askBin(answers: ChatAnswer[], args: string[], nixos = false) {
  const s = await startScriptedOllama(answers);
  const cfg = join(work, `config-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(
    cfg,
    `[ask]\nhost = "${s.url}"\ntimeout = 10\n[ssh]\nconnect_timeout = 5\n` +
      (nixos ? `[nixos]\ndir = "${remoteRoot}/etc/nixos/nixi"\nconfiguration = "${remoteRoot}/etc/nixos/configuration.nix"\n` : "") +
      `\n[[nodes]]\nname = "mon"\nhost = "127.0.0.1"\nport = ${mon.port}\nuser = "root"\nmode = "monitored"\n`,
  );
  try {
    const r = await runBin(["ask", ...args], { env: { NIXI_CONFIG: cfg, HOME: home, SSH_AUTH_SOCK: undefined } });
    expect(s.unknown).toEqual([]);
    return { r, s };
  } finally {
    await s.close();
  }
}

const root = () => makeRoot({ "/etc/nixos/configuration.nix": "{ ... }: { imports = [ ./nixi ]; }\n" });
const open8080 = (nodes: string[] = []) => [pick("fw open"), fill({ nodes, args: { ports: ["8080"] }, flags: { interface: "" } })];

describe("nixi ask through bin/nixi", () => {
  it("--print proposes only", async () => {
    const R = root();
    const before = treeHash(R);
    const { r, s } = await askBin(open8080(["mon"]), ["--print", "--root", R, "open port 8080 on mon"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("nixi fw open 8080 --node mon\n");
    expect(s.chats).toHaveLength(2);
    expect(treeHash(R)).toBe(before);
  });

  it("a change step without a terminal and without --yes: exit 3, tree unchanged; with --yes it is applied", async () => {
    const R = root();
    const before = treeHash(R);
    const no = await askBin(open8080(), ["--no-rebuild", "--root", R, "open port 8080"]);
    expect(no.r.exitCode, no.r.stderr).toBe(3);
    expect(treeHash(R)).toBe(before);
    const yes = await askBin(open8080(), ["--yes", "--no-rebuild", "--json", "--root", R, "open port 8080"]);
    expect(yes.r.exitCode, yes.r.stderr).toBe(0);
    const d = expectEnvelope(yes.r.json).data;
    expect(d.results[0]).toMatchObject({ line: "nixi fw open 8080", exitCode: 0, envelope: { ok: true, command: "fw open", changed: true } });
    expect(read(R, `${NIXI_DIR}/firewall.nix`)).toContain("8080");
  });

  it("a change step on a monitored node is refused by the node's gate: exit 4", async () => {
    const { r } = await askBin(open8080(["mon"]), ["--yes", "--no-rebuild", "open port 8080 on mon"], true);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain("monitored");
    expect(existsSync(join(remoteRoot, "etc/nixos/nixi/firewall.nix"))).toBe(false);
  });

  it("read-then-act: a context read on the monitored node runs, its output goes back, then the final proposal", async () => {
    const { r, s } = await askBin(
      [pick(["system info", true]), fill({ nodes: ["mon"] }), pick("service status"), fill({ nodes: ["mon"], args: { name: "sshd" } })],
      ["--print", "--json", "what is wrong with ssh on mon?"],
      true,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("round 1: reading for context: nixi system info --node mon");
    expect(s.chats[2].messages[1].content).toContain("Output of `nixi system info --node mon`");
    const d = expectEnvelope(r.json).data;
    expect(d.rounds).toHaveLength(1);
    expect(d.steps.map((x: any) => x.line)).toEqual(["nixi service status sshd --node mon"]);
  });
});
