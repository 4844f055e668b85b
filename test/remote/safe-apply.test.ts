// Safe apply (issue 11) against a real sshd in a network namespace. The node's fake nixos-rebuild
// (NixOS activation cannot run here) makes a new generation current and, in the bad case, adds an nft
// rule in the node's namespace that drops every packet, like a switch that breaks networking would.
// The previous generation's fake switch-to-configuration removes that rule again (its firewall).
// Asserted: the good case confirms over a fresh connection and nothing fires later; the bad case
// exits 6 "reverted: ..." within timeout + margin, the previous generation is current again and
// nixi's files are back byte for byte; a killed nixi (connection gone mid-activation) does not stop
// the activation, and the revert still fires.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, run } from "../helpers/run.js";
import { cleanup, makeKey, makeNetns, startSshd, type Netns, type Sshd } from "../helpers/sshd.js";
import { expectReverted, readCanary, until, writeSafeApplyConfig } from "../helpers/safe-apply.js";

const TIMEOUT = 3;
let work: string;
let home: string;
let ns: Netns;
let node: Sshd;
let cfg: string;
let tree: string;
const nixiDir = () => join(tree, "etc/nixos/nixi");

const stc = (gen: string, log: string) => `#!/bin/sh
# fake switch-to-configuration of ${gen}: only "switch"
[ "$#" = 1 ] && [ "$1" = switch ] || { echo "FAKE switch-to-configuration: unsupported: $*" >&2; exit 99; }
echo "${gen} switch" >> '${log}'
ln -sfn '${tree}/store/${gen}' '${tree}/run/current-system'
nft delete table inet nixitest 2>/dev/null
exit 0
`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-safe-"));
  chmodSync(work, 0o755);
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  tree = join(work, "node");
  const activations = join(tree, "activations.log");
  mkdirSync(join(tree, "etc/nixos"), { recursive: true });
  mkdirSync(join(tree, "run"), { recursive: true });
  mkdirSync(join(tree, "profiles"), { recursive: true });
  mkdirSync(join(tree, "store/system-1/bin"), { recursive: true });
  writeFileSync(join(tree, "store/system-1/bin/switch-to-configuration"), stc("system-1", activations), { mode: 0o755 });
  writeFileSync(join(tree, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
  ns = makeNetns("safe", 141);
  node = await startSshd({ host: ns.address, netns: ns.name, authorizedKeys: [key.publicKey] });
  // the node's own programs: a rebuild that makes system-2 current (and breaks the network when asked)
  writeFileSync(
    join(node.bin, "nixos-rebuild"),
    `#!/bin/sh
[ "$#" = 1 ] && [ "$1" = switch ] || { echo "FAKE nixos-rebuild: unsupported: $*" >&2; exit 99; }
echo "building the system configuration..."
[ -e '${tree}/slow' ] && sleep 2
mkdir -p '${tree}/store/system-2/bin'
cat > '${tree}/store/system-2/bin/switch-to-configuration' <<'EOF'
${stc("system-2", activations)}
EOF
chmod 755 '${tree}/store/system-2/bin/switch-to-configuration'
ln -sfn '${tree}/store/system-2' '${tree}/profiles/system'
ln -sfn '${tree}/store/system-2' '${tree}/run/current-system'
[ -e '${tree}/break' ] && printf 'table inet nixitest {\\n chain in {\\n  type filter hook input priority 0; policy drop;\\n }\\n}\\n' | nft -f -
echo "activating the configuration..."
touch '${tree}/activated'
exit 0
`,
    { mode: 0o755 },
  );
  writeFileSync(
    join(node.bin, "nix-env"),
    `#!/bin/sh
[ "$#" = 4 ] && [ "$1" = --profile ] && [ "$3" = --set ] || { echo "FAKE nix-env: unsupported: $*" >&2; exit 99; }
ln -sfn "$4" "$2"
`,
    { mode: 0o755 },
  );
  cfg = join(work, "config.toml");
  writeSafeApplyConfig(cfg, { work, tree, nixiDir: nixiDir(), host: ns.address, timeout: TIMEOUT, profile: `${tree}/profiles/system` });
});

afterAll(async () => {
  await cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

function reset() {
  for (const f of ["break", "slow", "activated", "activations.log"]) rmSync(join(tree, f), { force: true });
  rmSync(join(nixiDir(), ".safe-apply"), { recursive: true, force: true });
  rmSync(join(tree, "run/current-system"), { force: true });
  rmSync(join(tree, "profiles/system"), { force: true });
  symlinkSync(join(tree, "store/system-1"), join(tree, "run/current-system"));
  symlinkSync(join(tree, "store/system-1"), join(tree, "profiles/system"));
}
const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg });
const current = () => readlinkSync(join(tree, "run/current-system"));
const activations = () => (existsSync(join(tree, "activations.log")) ? readFileSync(join(tree, "activations.log"), "utf8") : "");
const files = () => Object.fromEntries((existsSync(nixiDir()) ? readdirSync(nixiDir()) : []).filter((f) => !f.startsWith(".")).map((f) => [f, readFileSync(join(nixiDir(), f), "utf8")]));
const canary = (f: string) => readCanary(nixiDir(), f);

describe("safe apply on a remote switch", () => {
  it("good case: confirmed over a fresh connection, the revert is disarmed and nothing fires later", async () => {
    reset();
    const r = await run("--node n fw open 8080 --yes --json", { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(canary("decision")).toBe("confirmed");
    expect(canary("previous")).toBe(join(tree, "store/system-1"));
    expect(current()).toBe(join(tree, "store/system-2"));
    expect(readFileSync(join(nixiDir(), ".rebuild.log"), "utf8")).toMatch(/activating the configuration/);
    // a second login was made after the switch: sshd logged at least two accepted publickey logins
    expect((readFileSync(join(node.dir, "sshd.log"), "utf8").match(/Accepted publickey/g) ?? []).length).toBeGreaterThanOrEqual(2);
    await new Promise((res) => setTimeout(res, (TIMEOUT + 1.5) * 1000));
    expect(current()).toBe(join(tree, "store/system-2"));
    expect(activations()).toBe("");
    expect(canary("revert-status")).toBeNull();
    expect(existsSync(join(nixiDir(), ".lock"))).toBe(false);
  });

  it("bad case: the switch cuts SSH off; exit 6 'reverted', previous generation current again, files byte for byte", async () => {
    reset();
    const before = files();
    writeFileSync(join(tree, "break"), "");
    const t0 = Date.now();
    const r = await run("--node n fw open 9090 --yes --json", { env: env() });
    const took = (Date.now() - t0) / 1000;
    await expectReverted(r, took, TIMEOUT, nixiDir());
    expect(current()).toBe(join(tree, "store/system-1"));
    expect(readlinkSync(join(tree, "profiles/system"))).toBe(join(tree, "store/system-1"));
    expect(activations()).toBe("system-1 switch\n");
    expect(files()).toEqual(before);
    expect(existsSync(join(nixiDir(), ".lock"))).toBe(false);
    // reachable again (the previous generation's firewall): a read works
    expect((await run("--node n fw list --json", { env: env() })).exitCode).toBe(0);
  }, 40_000);

  it("a connection dropped mid-activation (nixi killed) does not stop the activation; no confirmation -> revert", async () => {
    reset();
    const before = files();
    writeFileSync(join(tree, "slow"), "");
    const child = spawn(process.execPath, [BIN, "--node", "n", "fw", "open", "7070", "--yes"], { env: { ...process.env, ...env(), SSH_AUTH_SOCK: "", NO_COLOR: "1" }, stdio: "ignore" });
    expect(await until(() => canary("previous") !== null, 15_000)).toBe(true);
    child.kill("SIGKILL"); // the SSH session ends: sshd sends SIGHUP to what it started
    expect(await until(() => existsSync(join(tree, "activated")), 10_000)).toBe(true);
    expect(canary("status")).toBe("0");
    expect(await until(() => canary("revert-status") !== null, (TIMEOUT + 6) * 1000)).toBe(true);
    expect(current()).toBe(join(tree, "store/system-1"));
    expect(files()).toEqual(before);
    expect(existsSync(join(nixiDir(), ".lock"))).toBe(false);
  }, 40_000);

  it("--no-safe-apply and [rebuild] safe_apply = false run nixos-rebuild directly (no canary)", async () => {
    reset();
    rmSync(join(nixiDir(), ".safe-apply"), { recursive: true, force: true });
    const r = await run("--node n fw open 6060 --yes --no-safe-apply --json", { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(nixiDir(), ".safe-apply"))).toBe(false);
    const bad = join(work, "bad.toml");
    writeFileSync(bad, readFileSync(cfg, "utf8").replace(`confirm_timeout = ${TIMEOUT}`, "confirm_timeout = 0"));
    const b = await run("--node n fw open 6061 --yes --json", { env: { ...env(), NIXI_CONFIG: bad } });
    expect(b.exitCode).toBe(2);
    expect(JSON.stringify(b.json)).toMatch(/confirm_timeout must be a whole number/);
  });
});
