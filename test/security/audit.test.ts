// security audit over known-good and known-bad fake roots. The sshd and nft outputs are produced
// here by the real programs (sshd -T -f CONFIG; nft in a test network namespace); ss and
// systemd-analyze outputs are captured real output (their formats); sysctls, sudoers, nix.conf and
// /srv come from the fake root. Every check is seen passing and failing (or warning).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, symlinkSync, chmodSync, chownSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";

const PROG = fileURLToPath(new URL("../fakes/security/audit-prog", import.meta.url));
const PROGS = ["sshd", "nft", "ss", "systemd-analyze", "lsblk", "mokutil", "nix-store", "systemctl"];
const NS = `nxaud${process.pid}`;
let work = "";

const GOOD_SSHD = `PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nX11Forwarding no\nMaxAuthTries 3\nPermitEmptyPasswords no\nCiphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\nMACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com\nKexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org\n`;
const BAD_SSHD = `PasswordAuthentication yes\nKbdInteractiveAuthentication yes\nPermitRootLogin yes\nX11Forwarding yes\nMaxAuthTries 10\nPermitEmptyPasswords yes\nCiphers aes128-cbc,3des-cbc,aes256-ctr\nMACs hmac-sha1,hmac-md5\nKexAlgorithms diffie-hellman-group1-sha1,diffie-hellman-group14-sha1\n`;
const GOOD_NFT = `table inet nixos-fw {\n chain input { type filter hook input priority 0; policy drop; ct state established,related accept; iifname "lo" accept; tcp dport { 22, 443 } accept; }\n}\n`;
// captured `ss -tlnpH` (iproute2 6.x)
const GOOD_SS = `LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=812,fd=3))\nLISTEN 0      511          0.0.0.0:443       0.0.0.0:*    users:(("nginx",pid=901,fd=6))\nLISTEN 0      244        127.0.0.1:5432      0.0.0.0:*    users:(("postgres",pid=700,fd=7))\n`;
const BAD_SS = `LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=812,fd=3))\nLISTEN 0      244          0.0.0.0:5432      0.0.0.0:*    users:(("postgres",pid=700,fd=7))\nLISTEN 0      511             [::]:6379         [::]:*    users:(("redis-server",pid=702,fd=6))\n`;
// captured `systemd-analyze security --no-pager` (systemd 252)
const ANALYZE_BAD = `UNIT                                 EXPOSURE PREDICATE HAPPY\nnginx.service                             9.6 UNSAFE    😨\nsshd.service                              9.6 UNSAFE    😨\nsystemd-journald.service                  4.3 OK        🙂\n`;
const ANALYZE_GOOD = `UNIT                                 EXPOSURE PREDICATE HAPPY\nsystemd-journald.service                  4.3 OK        🙂\nsystemd-logind.service                    2.8 OK        🙂\n`;

function realSshdT(config: string, dir: string): string {
  const key = join(dir, `hostkey-${Math.random().toString(36).slice(2)}`);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const cfg = join(dir, `sshd-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(cfg, `HostKey ${key}\nUsePAM no\n${config}`);
  mkdirSync("/run/sshd", { recursive: true });
  return execFileSync("/usr/sbin/sshd", ["-T", "-f", cfg]).toString();
}
function realNft(ruleset: string | null): string {
  spawnSync("ip", ["netns", "del", NS]);
  execFileSync("ip", ["netns", "add", NS]);
  if (ruleset !== null) execFileSync("ip", ["netns", "exec", NS, "nft", "-f", "-"], { input: ruleset });
  const out = execFileSync("ip", ["netns", "exec", NS, "nft", "-j", "list", "ruleset"]).toString();
  execFileSync("ip", ["netns", "del", NS]);
  return out;
}

function fixtureDir(name: string, files: Record<string, string>): string {
  const d = join(work, name);
  mkdirSync(join(d, "bin"), { recursive: true });
  for (const p of PROGS) symlinkSync(PROG, join(d, "bin", p));
  for (const [k, v] of Object.entries(files)) writeFileSync(join(d, k), v);
  return d;
}

const SYSCTL_GOOD: Record<string, string> = {
  "kernel/kptr_restrict": "2", "kernel/dmesg_restrict": "1", "kernel/unprivileged_bpf_disabled": "1", "kernel/yama/ptrace_scope": "1",
  "net/ipv4/conf/all/rp_filter": "1", "net/ipv4/conf/all/accept_redirects": "0", "net/ipv6/conf/all/accept_redirects": "0",
  "net/ipv4/conf/all/send_redirects": "0", "net/ipv4/conf/all/accept_source_route": "0", "net/ipv4/tcp_syncookies": "1",
  "fs/protected_symlinks": "1", "fs/protected_hardlinks": "1",
};
const SYSCTL_BAD: Record<string, string> = Object.fromEntries(Object.entries(SYSCTL_GOOD).map(([k, v]) => [k, k.includes("redirects") || k.includes("source_route") ? "1" : "0"]));

let good = { root: "", fx: "" };
let bad = { root: "", fx: "" };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "nixi-audit-"));
  const sys = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [`proc/sys/${k}`, `${v}\n`]));
  good.fx = fixtureDir("good", {
    "sshd.out": realSshdT(GOOD_SSHD, work), "nft.out": realNft(GOOD_NFT), "ss.out": GOOD_SS, "systemd-analyze.out": ANALYZE_GOOD,
    "lsblk.out": JSON.stringify({ blockdevices: [{ name: "sda", type: "disk", fstype: null, mountpoint: null, children: [{ name: "sda2", type: "part", fstype: "crypto_LUKS", mountpoint: null }] }] }),
    "mokutil.out": "SecureBoot enabled\n", "nix-store.out": "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-etc\n",
    "systemctl-is-active-fail2ban.service.out": "active\n", "systemctl-is-active-auditd.service.out": "active\n", "systemctl-is-enabled-nixos-upgrade.timer.out": "enabled\n",
  });
  good.root = makeRoot({
    ...sys(SYSCTL_GOOD),
    "etc/sudoers": "root ALL=(ALL:ALL) SETENV: ALL\n%wheel ALL=(ALL:ALL) SETENV: ALL\nnixi ALL=(root) NOPASSWD: /run/current-system/sw/bin/nixos-rebuild switch\n",
    "etc/nix/nix.conf": "sandbox = true\ntrusted-users = root\nallowed-users = @wheel\n",
    "nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-etc/etc/nginx.conf": "worker_processes 1;\n",
    "srv/.credentials/web.env": "X=1\n",
  });
  chmodSync(join(good.root, "srv/.credentials"), 0o700);
  chmodSync(join(good.root, "srv/.credentials/web.env"), 0o600);
  bad.fx = fixtureDir("bad", {
    "sshd.out": realSshdT(BAD_SSHD, work), "nft.out": realNft(null), "ss.out": BAD_SS, "systemd-analyze.out": ANALYZE_BAD,
    "lsblk.out": JSON.stringify({ blockdevices: [{ name: "sda", type: "disk", fstype: null, mountpoint: null, children: [{ name: "sda1", type: "part", fstype: "ext4", mountpoint: "/" }] }] }),
    "mokutil.out": "SecureBoot disabled\n", "nix-store.out": "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-etc\n",
  });
  bad.root = makeRoot({
    ...sys(SYSCTL_BAD),
    "etc/sudoers": "root ALL=(ALL:ALL) SETENV: ALL\n%wheel ALL=(ALL:ALL) NOPASSWD: ALL\n",
    "etc/nix/nix.conf": "sandbox = false\ntrusted-users = root *\n",
    "nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-etc/etc/app.conf": "key = -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    "srv/.credentials/web.env": "X=1\n",
    "etc/nixos/nixi/state.toml": `version = 1\n[containers]\nbackend = "podman"\n[containers.containers.db]\nimage = "postgres:16"\nports = ["5432:5432/tcp"]\n`,
  });
  // the system profile last changed 60 days ago, and no auto-upgrade timer
  mkdirSync(join(bad.root, "nix/var/nix/profiles/system"), { recursive: true });
  const old = new Date(Date.now() - 60 * 86_400_000);
  utimesSync(join(bad.root, "nix/var/nix/profiles/system"), old, old);
  chmodSync(join(bad.root, "srv"), 0o777);
  chmodSync(join(bad.root, "srv/.credentials"), 0o755);
  chmodSync(join(bad.root, "srv/.credentials/web.env"), 0o644);
  // private by mode, but not root's: another user owns it
  writeFileSync(join(bad.root, "srv/.credentials/db.env"), "Y=2\n", { mode: 0o600 });
  chownSync(join(bad.root, "srv/.credentials/db.env"), 65534, 65534);
}, 60_000);
afterAll(() => {
  spawnSync("ip", ["netns", "del", NS]);
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

const audit = (m: { root: string; fx: string }, extra = "") =>
  run(`security audit --json --root ${m.root} ${extra}`, { path: [join(m.fx, "bin")], env: { NIXI_ROOT_EXEC: "1", NIXI_AUDIT_FIXTURES: m.fx } });

const PAIRS = [
  "firewall-enabled", "container-ports-public", "ssh-password-auth", "ssh-kbd-interactive", "ssh-root-login", "ssh-permitemptypasswords",
  "ssh-x11-forwarding", "ssh-maxauthtries", "ssh-ciphers", "ssh-macs", "ssh-kex", "fail2ban", "sudo-grants-all", "sudo-wheel-password", "srv-modes",
  "credentials-modes", "store-secrets", "sysctl-kptr-restrict", "sysctl-dmesg-restrict", "sysctl-unprivileged-bpf", "sysctl-ptrace-scope",
  "sysctl-rp-filter", "sysctl-accept-redirects", "sysctl-accept-redirects-v6", "sysctl-send-redirects", "sysctl-source-route", "sysctl-syncookies",
  "sysctl-protected-links", "auditd", "nix-sandbox", "nix-trusted-users", "listeners-exposed",
  "auto-upgrade", "nix-allowed-users", "systemd-exposure", "luks", "secure-boot",
];

describe("security audit", () => {
  it("known-good root: at least 30 checks, every pair passes, exit 0", async () => {
    const before = treeHash(good.root);
    const r = await audit(good);
    expect(r.exitCode, r.stderr).toBe(0);
    expectEnvelope(r.json);
    const checks = r.json.data.checks;
    expect(checks.length).toBeGreaterThanOrEqual(30);
    for (const c of checks) {
      expect(c).toMatchObject({ id: expect.any(String), title: expect.any(String), severity: expect.stringMatching(/^(high|medium|low|info)$/), status: expect.stringMatching(/^(pass|fail|warn|unknown)$/), source: expect.any(String) });
    }
    const by = Object.fromEntries(checks.map((c: any) => [c.id, c]));
    for (const id of PAIRS) expect(by[id]?.status, `${id}: ${by[id]?.evidence}`).toBe("pass");
    expect(by["luks"].status).toBe("pass");
    expect(by["secure-boot"].status).toBe("pass");
    expect(r.json.data.score).toBe(100);
    expect(treeHash(good.root)).toBe(before);
  });

  it("known-bad root: every pair fails or warns, evidence redacted, fix commands given, exit 8", async () => {
    const r = await audit(bad);
    expect(r.exitCode, r.stderr).toBe(8);
    const by = Object.fromEntries(r.json.data.checks.map((c: any) => [c.id, c]));
    for (const id of PAIRS) expect(by[id]?.status, `${id}: ${by[id]?.evidence}`).toMatch(/^(fail|warn)$/);
    expect(by["listeners-exposed"].evidence).toContain("0.0.0.0:5432");
    expect(by["credentials-modes"].evidence).toContain("/srv/.credentials/db.env owned by uid 65534, not root");
    expect(by["store-secrets"].evidence).toContain("bbbbbbbb");
    expect(r.stdout).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(by["ssh-password-auth"].fix).toBe("nixi security harden --check ssh-password-auth");
    expect(r.json.data.failedHigh).toEqual(expect.arrayContaining(["firewall-enabled", "ssh-password-auth", "nix-sandbox"]));
    expect(r.json.data.score).toBeLessThan(30);
    const human = await run(`security audit --root ${bad.root}`, { path: [join(bad.fx, "bin")], env: { NIXI_ROOT_EXEC: "1", NIXI_AUDIT_FIXTURES: bad.fx } });
    expect(human.exitCode).toBe(8);
    expect(human.stdout).toMatch(/^HIGH:/m);
    expect(human.stdout).toMatch(/score \d+\/100/);
  });

  it("firewall-stale-openings: passes when every open port has a listener, warns when one has none", async () => {
    const pass = await audit(good, "--check firewall-stale-openings");
    expect(pass.json.data.checks[0]).toMatchObject({ id: "firewall-stale-openings", status: "pass" });
    // the same live firewall, but nginx is gone: 443 is open with nothing behind it
    const stale = { root: good.root, fx: fixtureDir("stale", { "sshd.out": readFileSync(join(good.fx, "sshd.out"), "utf8"), "nft.out": readFileSync(join(good.fx, "nft.out"), "utf8"), "ss.out": GOOD_SS.split("\n").filter((l) => !l.includes("nginx")).join("\n") }) };
    const warn = await audit(stale, "--check firewall-stale-openings");
    expect(warn.json.data.checks[0].status).toBe("warn");
    expect(warn.json.data.checks[0].evidence).toMatch(/443/);
  });

  it("a probe that cannot run is unknown with the reason", async () => {
    const root = makeRoot({});
    const r = await run(`security audit --json --root ${root} --check ssh-password-auth --check firewall-enabled`, { env: { NIXI_ROOT_EXEC: "1", PATH: "/nonexistent" } });
    expect(r.exitCode).toBe(0);
    for (const c of r.json.data.checks) {
      expect(c.status).toBe("unknown");
      expect(c.evidence).toMatch(/not installed|could not/);
    }
  });

  it("an unknown --check id is exit 2 naming it", async () => {
    const r = await run(`security audit --check nope --json --root ${makeRoot({})}`);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toContain('"nope"');
  });
});
