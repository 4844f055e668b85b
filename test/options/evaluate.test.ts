// nixi's evaluation path against a <nixpkgs/nixos>-shaped tree on the REAL nixpkgs lib
// (test/helpers/nixos-tree.ts) with the real nix-instantiate: user-declared options the catalog
// lacks, their types and current values, real evaluation errors (exit 2, nothing written), the
// timeout, and one evaluation per change.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { treeHash } from "../helpers/tree.js";
import { makeNixosTree, type NixosTree } from "../helpers/nixos-tree.js";
import { lookupOption } from "../../src/options/catalog.js";

const trees: NixosTree[] = [];
const bins: string[] = [];
afterAll(() => {
  for (const t of trees) t.cleanup();
  for (const b of bins) rmSync(b, { recursive: true, force: true });
});

/** A bin folder whose nix-instantiate logs each call and runs the real one; nixos-rebuild logs and succeeds. */
function wrapperBin(): { dir: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), `nixi-evalbin-${process.pid}-`));
  bins.push(dir);
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  writeFileSync(join(dir, "nix-instantiate"), `#!/bin/sh\necho nix-instantiate >> '${log}'\nexec /usr/bin/nix-instantiate "$@"\n`, { mode: 0o755 });
  writeFileSync(join(dir, "nix"), `#!/bin/sh\necho nix >> '${log}'\nexec /usr/bin/nix "$@"\n`, { mode: 0o755 });
  writeFileSync(join(dir, "nixos-rebuild"), `#!/bin/sh\necho "nixos-rebuild $*" >> '${log}'\nexit 0\n`, { mode: 0o755 });
  return { dir, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

let tree: NixosTree;
let bin: ReturnType<typeof wrapperBin>;
beforeEach(() => {
  tree = makeNixosTree({
    configuration: `{ ... }: {
  imports = [ ./nixi ./myapp.nix ];
  services.myapp.mode = "fast";
  services.myapp.apiPassword = "hunter2-not-for-print";
  services.openssh.settings.PasswordAuthentication = false;
}
`,
  });
  trees.push(tree);
  bin = wrapperBin();
});

const nixi = (args: string[], extra: Record<string, string> = {}) =>
  run([...args, "--root", tree.root, "--json"], { env: { ...tree.env, ...extra }, path: [bin.dir] });
const nixiDir = () => join(tree.root, "etc/nixos/nixi");
const nothingLeft = () => expect(readdirSync(nixiDir()).filter((f) => f.startsWith(".eval"))).toEqual([]);

describe("reading the machine's options", () => {
  it("option show finds a user-declared option the catalog lacks, with type, default and current value", async () => {
    expect(lookupOption("services.myapp.port")).toBeNull();
    const r = await nixi(["option", "show", "services.myapp.port"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data).toMatchObject({ option: "services.myapp.port", known: ["machine"], type: "16 bit unsigned integer; between 0 and 65535 (both inclusive)", value: 8080, description: "Port myapp listens on." });
    expect(r.json.data.declaredIn).toEqual([join(tree.root, "etc/nixos/myapp.nix")]);
    expect(r.json.data.evaluation.evaluated).toBe(true);
    // cached per system generation: the second read does not evaluate
    const again = await nixi(["option", "show", "services.myapp.port"]);
    expect(again.json.data.evaluation.cached).toBe(true);
    expect(bin.calls()).toEqual(["nix-instantiate"]);
  });
  it("config get gives the effective value and where it comes from", async () => {
    const mode = await nixi(["config", "get", "services.myapp.mode"]);
    expect(mode.json.data).toMatchObject({ value: "fast", source: "other", files: [join(tree.root, "etc/nixos/configuration.nix")], type: 'one of "fast", "safe"' });
    const port = await nixi(["config", "get", "services.myapp.port"]);
    expect(port.json.data).toMatchObject({ value: 8080, source: "default" });
  });
  it("booleans are shown, strings of secret-named options are masked", async () => {
    const pa = await run(["config", "get", "services.openssh.settings.PasswordAuthentication", "--root", tree.root], { env: tree.env, path: [bin.dir] });
    expect(pa.exitCode).toBe(0);
    expect(pa.stdout).toContain("services.openssh.settings.PasswordAuthentication = false");
    const pw = await nixi(["config", "get", "services.myapp.apiPassword"]);
    expect(pw.json.data.value).toBe("***");
    expect(pw.stdout).not.toContain("hunter2");
  });
  it("option search --machine finds user-declared options by path and by description", async () => {
    const r = await nixi(["option", "search", "myapp", "--machine", "--limit", "50"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data.options.map((o: any) => o.path).sort()).toEqual(["services.myapp.apiPassword", "services.myapp.enable", "services.myapp.mode", "services.myapp.port", "services.myapp.version", "services.myapp.workers"]);
    const byDescription = await nixi(["option", "search", "myapp", "least", "--machine"]);
    expect(byDescription.json.data.options).toHaveLength(1);
    expect(byDescription.json.data.options[0]).toMatchObject({ path: "services.myapp.workers", description: "Worker count (at least 10).", known: ["machine"] });
    expect(byDescription.json.data.evaluation.cached).toBe(true);
  });
  it("a path the machine does not declare: exit 2 with what is there", async () => {
    const r = await nixi(["config", "get", "services.myapp.prot"]);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/services\.myapp\.prot is not an option of this machine/);
  });
});

describe("config set evaluates before writing", () => {
  it("a user-declared option is typed by the machine and the new configuration evaluated", async () => {
    const r = await nixi(["config", "set", "services.myapp.version", "2.0", "--yes", "--no-rebuild"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data).toMatchObject({ value: "2.0", verified: "machine", evaluation: { evaluated: true } });
    expect(typeof r.json.data.evaluation.seconds).toBe("number");
    const get = await nixi(["config", "get", "services.myapp.version"]);
    expect(get.json.data).toMatchObject({ value: "2.0", source: "nixi" });
    nothingLeft();
  });
  it("an option the catalog knows takes exactly one evaluation", async () => {
    const r = await nixi(["config", "set", "networking.hostName", "web2", "--yes"]);
    expect(r.exitCode).toBe(0);
    expect(r.json.data.evaluation.evaluated).toBe(true);
    expect(bin.calls()).toEqual(["nix-instantiate", "nixos-rebuild switch"]);
  });
  for (const [what, args, msg] of [
    ["a type error only the module system sees", ["services.myapp.workers", "5"], /A definition for option `services\.myapp\.workers' is not of type `signed integer'/],
    ["an option this machine does not have", ["services.nginx.enable", "true"], /The option `services\.nginx' does not exist/],
  ] as const) {
    it(`${what}: exit 2, the evaluation error shown, nothing written, no rebuild`, async () => {
      const before = treeHash(tree.root, [".options-cache"]);
      const r = await nixi(["config", "set", ...args, "--yes"]);
      expect(r.exitCode).toBe(2);
      expect(r.json.error.message).toMatch(/does not evaluate/);
      expect(r.json.error.message).toMatch(msg);
      expect(r.json.error.message).not.toMatch(/\.eval-/);
      expect(treeHash(tree.root, [".options-cache"])).toBe(before);
      expect(bin.calls().filter((c) => c.startsWith("nixos-rebuild"))).toEqual([]);
      nothingLeft();
    });
  }
  it("--no-rebuild staging gets the same check", async () => {
    const before = treeHash(tree.root, [".options-cache"]);
    const r = await nixi(["config", "set", "services.myapp.workers", "5", "--yes", "--no-rebuild"]);
    expect(r.exitCode).toBe(2);
    expect(treeHash(tree.root, [".options-cache"])).toBe(before);
  });
  it("a hand-edited state.toml with an unknown option: system rebuild refuses it (exit 2), nothing rebuilt", async () => {
    writeFileSync(join(nixiDir(), "state.toml"), 'version = 1\n\n[options]\n"services.myapp.colour" = "red"\n');
    const before = treeHash(tree.root, [".options-cache"]);
    const r = await nixi(["system", "rebuild", "--yes"]);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/The option `services\.myapp\.colour' does not exist/);
    expect(treeHash(tree.root, [".options-cache"])).toBe(before);
    expect(bin.calls().filter((c) => c.startsWith("nixos-rebuild"))).toEqual([]);
  });
  it("every change command is evaluated, not only config set", async () => {
    const r = await nixi(["fw", "open", "8080", "--yes", "--no-rebuild"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/the new configuration evaluates/);
    expect(bin.calls()).toEqual(["nix-instantiate"]);
  });
});

describe("a flake system", () => {
  it("reads nixosConfigurations.<host>.options and evaluates the new files through extendModules", async () => {
    const flake = makeNixosTree({ flake: true });
    trees.push(flake);
    const nx = (args: string[]) => run([...args, "--root", flake.root, "--json"], { env: flake.env, path: [bin.dir] });
    const show = await nx(["option", "show", "services.myapp.mode"]);
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.json.data).toMatchObject({ known: ["machine"], value: "fast", type: 'one of "fast", "safe"' });
    const good = await nx(["config", "set", "services.myapp.version", "2.0", "--yes", "--no-rebuild"]);
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.json.data).toMatchObject({ value: "2.0", evaluation: { evaluated: true } });
    // the old nixi files are disabled in the flake's store copy: only the new value is seen (no conflict with "2.0")
    const again = await nx(["config", "set", "services.myapp.version", "3.0", "--yes", "--no-rebuild"]);
    expect(again.exitCode, again.stderr).toBe(0);
    // a real conflict with configuration.nix (mode = "fast") is the module system's error
    const conflict = await nx(["config", "set", "services.myapp.mode", "safe", "--yes", "--no-rebuild"]);
    expect(conflict.exitCode).toBe(2);
    expect(conflict.json.error.message).toMatch(/The option `services\.myapp\.mode' has conflicting definition values/);
    const before = treeHash(flake.root, [".options-cache"]);
    const bad = await nx(["config", "set", "services.myapp.workers", "3", "--yes", "--no-rebuild"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.json.error.message).toMatch(/is not of type `signed integer'/);
    expect(treeHash(flake.root, [".options-cache"])).toBe(before);
    expect(bin.calls().every((c) => c === "nix")).toBe(true);
  });
});

describe("the evaluation timeout", () => {
  it("an evaluation that never finishes is stopped with a clear message; nothing written", async () => {
    const slow = makeNixosTree({ block: true });
    trees.push(slow);
    const before = treeHash(slow.root);
    const started = Date.now();
    const r = await run(["config", "set", "services.myapp.port", "8443", "--yes", "--no-rebuild", "--root", slow.root, "--json"], { env: { ...slow.env, NIXI_EVAL_TIMEOUT: "1" }, path: [bin.dir] });
    expect(r.exitCode).toBe(1);
    expect(r.json.error.message).toBe("evaluating the NixOS configuration timed out after 1 s");
    expect(r.json.error.hint).toMatch(/NIXI_EVAL_TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(treeHash(slow.root)).toBe(before);
  });
  it("a bad NIXI_EVAL_TIMEOUT is exit 2 naming the value", async () => {
    const r = await nixi(["option", "show", "services.myapp.port"], { NIXI_EVAL_TIMEOUT: "soon" });
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/NIXI_EVAL_TIMEOUT.*"soon"/);
  });
});
