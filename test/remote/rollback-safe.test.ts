// `system rollback` through safe apply (issue 11) against a real sshd in a network namespace.
// NixOS activation cannot run here, so the node's nixos-rebuild, nix-env and each generation's
// switch-to-configuration are fakes over a small profile tree (profiles/system-N-link ->
// store/system-N, run/current-system), and fail loudly on anything they do not know. In the bad
// case generation 2's activation adds an nft rule in the node's namespace that drops every packet
// (a switch that breaks networking); generation 3's activation (the revert) removes it again.
// Asserted: both forms confirm over a fresh connection and nothing fires later; a switch that cuts
// SSH off exits 6 "reverted: ..." within timeout + margin and generation 3 runs again; nixi's files
// are left as they were (a rollback changes none, so .previous/ must not come back); a failed
// activation puts the profile back; --no-safe-apply and safe_apply = false run it the plain way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
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
const profile = () => join(tree, "profiles/system");

// generation N's switch-to-configuration: only "switch"; fail-system-N makes it fail, break-system-N cut the network
const stc = (gen: string) => `#!/bin/sh
[ "$#" = 1 ] && [ "$1" = switch ] || { echo "FAKE switch-to-configuration: unsupported: $*" >&2; exit 99; }
echo "${gen} switch" >> '${tree}/activations.log'
[ -e '${tree}/fail-${gen}' ] && { echo "error: activation of ${gen} failed" >&2; exit 4; }
ln -sfn '${tree}/store/${gen}' '${tree}/run/current-system'
if [ -e '${tree}/break-${gen}' ]; then
  printf 'table inet nixitest {\\n chain in {\\n  type filter hook input priority 0; policy drop;\\n }\\n}\\n' | nft -f -
else
  nft delete table inet nixitest 2>/dev/null
fi
exit 0
`;

// nixos-rebuild: list-generations --json and switch --rollback (nix-env --rollback, then activate)
const nixosRebuild = () => `#!/bin/sh
P='${profile()}'
gen() { basename "$(readlink "$P")" | sed -n 's/^system-\\([0-9]*\\)-link$/\\1/p'; }
if [ "$*" = "list-generations --json" ]; then
  cur=$(readlink -f '${tree}/run/current-system'); sep=""; printf '['
  for l in "$P"-*-link; do
    n=$(basename "$l" | sed -n 's/^system-\\([0-9]*\\)-link$/\\1/p'); [ -n "$n" ] || continue
    c=false; [ "$(readlink -f "$l")" = "$cur" ] && c=true
    printf '%s{"generation":%s,"date":"2026-11-2%s 10:00:00","nixosVersion":"25.05","kernelVersion":"6.6","configurationRevision":"","specialisations":[],"current":%s}' "$sep" "$n" "$n" "$c"; sep=,
  done
  echo ']'; exit 0
fi
[ "$*" = "switch --rollback" ] || { echo "FAKE nixos-rebuild: unsupported: $*" >&2; exit 99; }
n=$(gen); m=""
for l in "$P"-*-link; do k=$(basename "$l" | sed -n 's/^system-\\([0-9]*\\)-link$/\\1/p'); [ -n "$k" ] && [ "$k" -lt "$n" ] && { [ -z "$m" ] || [ "$k" -gt "$m" ]; } && m=$k; done
[ -n "$m" ] || { echo "error: no generation older than the current ($n)" >&2; exit 1; }
echo "switching profile from version $n to $m"
ln -sfn "system-$m-link" "$P"
exec "$P/bin/switch-to-configuration" switch
`;

// nix-env: --profile P --switch-generation N, and --profile P --set PATH (a new generation, as nix-env does)
const nixEnv = `#!/bin/sh
[ "$#" = 4 ] && [ "$1" = --profile ] || { echo "FAKE nix-env: unsupported: $*" >&2; exit 99; }
P=$2; d=$(dirname "$P"); b=$(basename "$P")
case "$3" in
  --switch-generation)
    [ -e "$d/$b-$4-link" ] || { echo "error: generation $4 does not exist" >&2; exit 1; }
    ln -sfn "$b-$4-link" "$P" ;;
  --set)
    max=0; for l in "$d/$b"-*-link; do k=$(basename "$l" | sed -n "s/^$b-\\([0-9]*\\)-link$/\\1/p"); [ -n "$k" ] && [ "$k" -gt "$max" ] && max=$k; done
    n=$((max+1)); ln -sfn "$4" "$d/$b-$n-link"; ln -sfn "$b-$n-link" "$P" ;;
  *) echo "FAKE nix-env: unsupported: $*" >&2; exit 99 ;;
esac
`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nixi-rbsafe-"));
  chmodSync(work, 0o755);
  home = join(work, "home");
  const key = makeKey(join(home, ".ssh"));
  tree = join(work, "node");
  mkdirSync(join(tree, "run"), { recursive: true });
  mkdirSync(join(tree, "profiles"), { recursive: true });
  mkdirSync(join(nixiDir(), ".previous"), { recursive: true });
  for (const g of ["system-1", "system-2", "system-3"]) {
    mkdirSync(join(tree, "store", g, "bin"), { recursive: true });
    writeFileSync(join(tree, "store", g, "bin/switch-to-configuration"), stc(g), { mode: 0o755 });
  }
  writeFileSync(join(tree, "etc/nixos/configuration.nix"), "{ ... }: { imports = [ ./nixi ]; }\n");
  ns = makeNetns("rbsafe", 142);
  node = await startSshd({ host: ns.address, netns: ns.name, authorizedKeys: [key.publicKey] });
  writeFileSync(join(node.bin, "nixos-rebuild"), nixosRebuild(), { mode: 0o755 });
  writeFileSync(join(node.bin, "nix-env"), nixEnv, { mode: 0o755 });
  cfg = join(work, "config.toml");
  writeSafeApplyConfig(cfg, { work, tree, nixiDir: nixiDir(), host: ns.address, timeout: TIMEOUT, profile: profile() });
});

afterAll(async () => {
  await cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Generations 1..3, 3 running; nixi's files differ from their .previous/ copies (an earlier change). */
function reset() {
  for (const f of readdirSync(tree)) if (/^(fail|break)-|^activations\.log$/.test(f)) rmSync(join(tree, f));
  for (const f of readdirSync(join(tree, "profiles"))) rmSync(join(tree, "profiles", f));
  for (const n of [1, 2, 3]) symlinkSync(join(tree, `store/system-${n}`), join(tree, `profiles/system-${n}-link`));
  symlinkSync("system-3-link", profile());
  rmSync(join(tree, "run/current-system"), { force: true });
  symlinkSync(join(tree, "store/system-3"), join(tree, "run/current-system"));
  rmSync(join(nixiDir(), ".safe-apply"), { recursive: true, force: true });
  writeFileSync(join(nixiDir(), "state.toml"), "[firewall]\ntcp = [22, 8080]\n");
  writeFileSync(join(nixiDir(), ".previous/state.toml"), "[firewall]\ntcp = [22]\n");
}
const env = (extra: Record<string, string> = {}) => ({ HOME: home, SSH_AUTH_SOCK: undefined, NIXI_CONFIG: cfg, ...extra });
const current = () => readlinkSync(join(tree, "run/current-system"));
const profileTarget = () => realpathSync(profile());
const activations = () => (existsSync(join(tree, "activations.log")) ? readFileSync(join(tree, "activations.log"), "utf8") : "");
const files = () => Object.fromEntries(readdirSync(nixiDir()).filter((f) => !f.startsWith(".")).map((f) => [f, readFileSync(join(nixiDir(), f), "utf8")]));
const canary = (f: string) => readCanary(nixiDir(), f);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("system rollback on a remote node goes through safe apply", () => {
  for (const [form, cmd, to] of [
    ["--to 1", "system rollback --to 1", 1],
    ["switch --rollback", "system rollback", 2],
  ] as const) {
    it(`good case (${form}): confirmed over a fresh connection; nothing fires later`, async () => {
      reset();
      const before = files();
      const r = await run(`--node n ${cmd} --yes --json`, { env: env() });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.json.data ?? r.json.results?.[0]?.data).toEqual({ from: 3, to });
      expect(r.stderr).toMatch(/safe apply: .* runs detached on n/);
      expect(canary("decision")).toBe("confirmed");
      expect(canary("previous")).toBe(join(tree, "store/system-3"));
      expect(current()).toBe(join(tree, `store/system-${to}`));
      await sleep((TIMEOUT + 1.5) * 1000);
      expect(current()).toBe(join(tree, `store/system-${to}`));
      expect(profileTarget()).toBe(join(tree, `store/system-${to}`));
      expect(activations()).toBe(`system-${to} switch\n`);
      expect(canary("revert-status")).toBeNull();
      expect(existsSync(join(nixiDir(), ".lock"))).toBe(false);
      expect(files()).toEqual(before);
    });

    it(`bad case (${form}): the switch cuts SSH off; exit 6 'reverted', generation 3 runs again, nixi's files untouched`, async () => {
      reset();
      const before = files();
      writeFileSync(join(tree, `break-system-${to}`), "");
      const t0 = Date.now();
      const r = await run(`--node n ${cmd} --yes --json`, { env: env() });
      const took = (Date.now() - t0) / 1000;
      await expectReverted(r, took, TIMEOUT, nixiDir());
      expect(current()).toBe(join(tree, "store/system-3"));
      // the revert is a new generation of the previous system (nix-env --set), as on NixOS
      expect(readlinkSync(profile())).toBe("system-4-link");
      expect(profileTarget()).toBe(join(tree, "store/system-3"));
      expect(activations()).toBe(`system-${to} switch\nsystem-3 switch\n`);
      expect(files()).toEqual(before);
      expect(existsSync(join(nixiDir(), ".lock"))).toBe(false);
      // reachable again (generation 3's firewall): a read works
      expect((await run("--node n system generations --json", { env: env() })).exitCode).toBe(0);
    }, 40_000);
  }

  it("--to N whose activation fails: the profile points at the running generation again, nothing is reverted", async () => {
    reset();
    writeFileSync(join(tree, "fail-system-1"), "");
    const r = await run("--node n system rollback --to 1 --yes --json", { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    const err = r.json.error ?? r.json.results?.[0]?.error;
    expect(err.message).toMatch(/^activating generation 1 failed; the system profile points at generation 3 again: .*activation of system-1 failed/s);
    expect(readlinkSync(profile())).toBe("system-3-link");
    expect(current()).toBe(join(tree, "store/system-3"));
    await sleep((TIMEOUT + 1) * 1000);
    expect(canary("decision")).toBeNull();
    expect(activations()).toBe("system-1 switch\n");
    expect(existsSync(join(nixiDir(), ".lock"))).toBe(false);
  });

  it("--no-safe-apply and [rebuild] safe_apply = false run it the plain way (no canary)", async () => {
    reset();
    const r = await run("--node n system rollback --to 2 --yes --no-safe-apply --json", { env: env() });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/safe apply/);
    expect(existsSync(join(nixiDir(), ".safe-apply"))).toBe(false);
    expect(current()).toBe(join(tree, "store/system-2"));
    expect(readlinkSync(profile())).toBe("system-2-link");
    reset();
    const off = join(work, "off.toml");
    writeFileSync(off, readFileSync(cfg, "utf8").replace("[rebuild]\n", "[rebuild]\nsafe_apply = false\n"));
    const p = await run("--node n system rollback --yes --json", { env: env({ NIXI_CONFIG: off }) });
    expect(p.exitCode, p.stdout + p.stderr).toBe(0);
    expect(existsSync(join(nixiDir(), ".safe-apply"))).toBe(false);
    expect(current()).toBe(join(tree, "store/system-2"));
    expect(activations()).toBe("system-2 switch\n");
  });
});
