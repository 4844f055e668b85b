// The audit's checks: pure functions over Facts. Each has an id (a `security harden --check` id
// when nixi has a declarative fix), a severity, the source of the guidance and the fixing command.
import type { Facts } from "./facts.js";
import { parseNftRuleset, parseSs, crossCheck, type FirewallFacts } from "../exposure.js";
import { declared } from "../../containers/state.js";
import { exposedPort, RISKY_PORTS, riskyImage } from "../findings/containers.js";
import { optionValue } from "../findings/option-lookup.js";
import { fixById, STRONG_CIPHERS, STRONG_MACS, STRONG_KEX } from "../hardening/fixes.js";
import { redact } from "../../core/redact.js";

export type Severity = "high" | "medium" | "low" | "info";
export type Status = "pass" | "fail" | "warn" | "unknown";
export interface CheckResult {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  evidence: string;
  source: string;
  fix: string | null;
}
type Verdict = { status: Status; evidence: string };
interface Check {
  id: string;
  title: string;
  severity: Severity;
  source: string;
  fix?: string;
  run(f: Facts): Verdict;
}

const unknown = (f: Facts, key: string, what: string): Verdict => ({ status: "unknown", evidence: f.why.get(key) ?? `${what} could not be read` });
const harden = (id: string) => (fixById(id) ? `nixi security harden --check ${id}` : undefined);
const WIKI = "NixOS wiki: security";
const DEVSEC_SSH = "DevSec SSH baseline";
const DEVSEC_LINUX = "DevSec Linux baseline";

function fw(f: Facts): FirewallFacts | null {
  if (f.nft === null) return null;
  try {
    return parseNftRuleset(f.nft);
  } catch {
    return null;
  }
}

function sshd(key: string, title: string, severity: Severity, ok: (v: string) => boolean, fix?: string, source = DEVSEC_SSH): Check {
  return {
    id: fix ?? `ssh-${key}`, title, severity, source, fix: fix ? harden(fix) : undefined,
    run: (f) => {
      if (!f.sshd) return unknown(f, "sshd", "sshd -T");
      const v = (f.sshd.get(key) ?? [])[0];
      if (v === undefined) return { status: "unknown", evidence: `sshd -T has no ${key}` };
      return { status: ok(v) ? "pass" : "fail", evidence: `${key} ${v}` };
    },
  };
}
const weakAlgos = (key: string, strong: string[], id: string, title: string): Check => ({
  id, title, severity: "medium", source: DEVSEC_SSH, fix: harden(id),
  run: (f) => {
    if (!f.sshd) return unknown(f, "sshd", "sshd -T");
    const list = (f.sshd.get(key) ?? [""])[0].split(",").filter(Boolean);
    if (!list.length) return { status: "unknown", evidence: `sshd -T has no ${key}` };
    const weak = list.filter((a) => !strong.includes(a));
    return weak.length ? { status: "fail", evidence: `weak ${key}: ${weak.join(", ")}` } : { status: "pass", evidence: `${key} ${list.join(",")}` };
  },
});

function sysctl(key: string, id: string, want: (v: number) => boolean, wantText: string, severity: Severity = "medium"): Check {
  return {
    id: `${id}${id.includes("accept-redirects") && key.includes("ipv6") ? "-v6" : ""}`, title: `${key} ${wantText}`, severity, source: "DevSec Linux baseline / kernel hardening", fix: harden(id),
    run: (f) => {
      const v = f.sysctl.get(key);
      if (v === null || v === undefined || v === "") return { status: "unknown", evidence: `/proc/sys/${key.replace(/\./g, "/")} could not be read` };
      return { status: want(Number(v)) ? "pass" : "fail", evidence: `${key} = ${v}` };
    },
  };
}

const unitActive = (unit: string, id: string, title: string, severity: Severity, source: string): Check => ({
  id, title, severity, source, fix: harden(id),
  run: (f) => {
    const v = f.units.get(unit);
    if (v === null || v === undefined) return { status: "unknown", evidence: "systemctl is not available" };
    return v === "active" ? { status: "pass", evidence: `${unit} is active` } : { status: "fail", evidence: `${unit} is ${v}` };
  },
});

const octal = (m: number) => (m & 0o7777).toString(8).padStart(4, "0");

export const CHECKS: Check[] = [
  {
    id: "firewall-enabled", title: "the firewall is on (input policy drops)", severity: "high", source: WIKI, fix: harden("firewall-enabled"),
    run: (f) => {
      const x = fw(f);
      if (!x) return unknown(f, "nft", "nft -j list ruleset");
      return x.enabled ? { status: "pass", evidence: "an input chain drops by default" } : { status: "fail", evidence: "no input chain with a drop policy (and no nixos-fw chain)" };
    },
  },
  {
    id: "firewall-stale-openings", title: "every port the firewall opens has a listener", severity: "low", source: WIKI, fix: "nixi fw close PORT",
    run: (f) => {
      const x = fw(f);
      if (!x || f.ss === null) return unknown(f, f.ss === null ? "ss" : "nft", "the firewall or the listeners");
      const { stale } = crossCheck(parseSs(f.ss), x);
      return stale.length ? { status: "warn", evidence: `open with nothing listening: ${stale.join(", ")}` } : { status: "pass", evidence: `${x.acceptedTcp.length} open port(s), all with a listener` };
    },
  },
  {
    id: "listeners-exposed", title: "services listening on all addresses that the firewall exposes", severity: "medium", source: WIKI, fix: "bind the service to 127.0.0.1, or nixi fw close PORT",
    run: (f) => {
      const x = fw(f);
      if (!x || f.ss === null) return unknown(f, f.ss === null ? "ss" : "nft", "the firewall or the listeners");
      const { exposed } = crossCheck(parseSs(f.ss), x);
      const risky = exposed.filter((l) => RISKY_PORTS[l.port]);
      const list = exposed.map((l) => `${l.address}:${l.port}${l.process ? ` (${l.process})` : ""}`).join(", ");
      if (risky.length) return { status: "fail", evidence: `databases/caches reachable from the network: ${list}` };
      if (!x.enabled && exposed.length) return { status: "warn", evidence: `no firewall in front of: ${list}` };
      return { status: "pass", evidence: exposed.length ? `reachable as the firewall allows: ${list}` : "no wildcard listener is exposed" };
    },
  },
  {
    id: "container-ports-public", title: "container ports published on all addresses", severity: "high", source: "oci-containers: published ports bypass the firewall", fix: "nixi container update NAME --remove-port P --port 127.0.0.1:HOST:CONTAINER",
    run: (f) => {
      if (!f.state) return unknown(f, "state", "state.toml");
      const pub: string[] = [];
      const risky: string[] = [];
      for (const [name, d] of Object.entries(declared(f.state))) {
        for (const p of d.ports ?? []) {
          const m = exposedPort(p);
          if (!m) continue;
          pub.push(`${name} ${p}`);
          if (RISKY_PORTS[m.containerPort] || riskyImage(d.image)) risky.push(`${name} ${p}`);
        }
      }
      return risky.length ? { status: "fail", evidence: `databases/caches on all addresses: ${risky.join(", ")}` } : pub.length ? { status: "warn", evidence: `on all addresses: ${pub.join(", ")}` } : { status: "pass", evidence: "no container port on all addresses" };
    },
  },
  sshd("passwordauthentication", "SSH password login is off", "high", (v) => v === "no", "ssh-password-auth"),
  sshd("kbdinteractiveauthentication", "SSH keyboard-interactive login is off", "high", (v) => v === "no", "ssh-kbd-interactive"),
  sshd("permitrootlogin", "root cannot log in over SSH with a password", "high", (v) => v !== "yes", "ssh-root-login"),
  sshd("permitemptypasswords", "SSH refuses empty passwords", "high", (v) => v === "no"),
  sshd("x11forwarding", "SSH X11 forwarding is off", "low", (v) => v === "no", "ssh-x11-forwarding"),
  sshd("maxauthtries", "SSH allows at most 6 authentication attempts", "low", (v) => Number(v) <= 6),
  weakAlgos("ciphers", STRONG_CIPHERS, "ssh-ciphers", "SSH offers no weak ciphers"),
  weakAlgos("macs", STRONG_MACS, "ssh-macs", "SSH offers no weak MACs"),
  weakAlgos("kexalgorithms", STRONG_KEX, "ssh-kex", "SSH offers no weak key exchange"),
  unitActive("fail2ban.service", "fail2ban", "fail2ban (or an equivalent) bans repeated login failures", "medium", WIKI),
  {
    id: "auto-upgrade", title: "automatic upgrades, or an upgrade in the last 30 days", severity: "medium", source: WIKI, fix: harden("auto-upgrade"),
    run: (f) => {
      const timer = f.units.get("nixos-upgrade.timer");
      if (timer === "enabled") return { status: "pass", evidence: "nixos-upgrade.timer is enabled" };
      if (f.state && optionValue(f.state, "system.autoUpgrade.enable") === true) return { status: "pass", evidence: "system.autoUpgrade.enable = true in nixi's state" };
      if (!f.systemProfile) return { status: "unknown", evidence: "no auto-upgrade timer and /nix/var/nix/profiles/system could not be read" };
      const days = Math.floor((Date.now() - f.systemProfile.mtimeMs) / 86_400_000);
      return days <= 30 ? { status: "pass", evidence: `the system profile changed ${days} day(s) ago` } : { status: "fail", evidence: `no auto-upgrade; last system change ${days} days ago` };
    },
  },
  {
    id: "sudo-grants-all", title: "no sudo rule grants ALL without a password", severity: "high", source: "STIG-style baseline (sudo)", fix: "nixi config set security.sudo.wheelNeedsPassword true",
    run: (f) => {
      if (f.sudoers === null) return { status: "unknown", evidence: "/etc/sudoers could not be read" };
      const bad = f.sudoers.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#") && !l.startsWith("Defaults") && /NOPASSWD:\s*ALL\s*$/.test(l));
      return bad.length ? { status: "fail", evidence: bad.join("; ") } : { status: "pass", evidence: "no NOPASSWD: ALL rule" };
    },
  },
  {
    id: "sudo-wheel-password", title: "wheel members need their password for sudo", severity: "medium", source: WIKI, fix: harden("sudo-wheel-password"),
    run: (f) => {
      if (f.sudoers === null) return { status: "unknown", evidence: "/etc/sudoers could not be read" };
      const l = f.sudoers.split("\n").find((x) => /^%wheel\s/.test(x.trim()));
      if (!l) return { status: "pass", evidence: "no rule for %wheel" };
      return /NOPASSWD/.test(l) ? { status: "fail", evidence: l.trim() } : { status: "pass", evidence: l.trim() };
    },
  },
  {
    id: "srv-modes", title: "/srv is not writable by everyone", severity: "medium", source: "nixi: the /srv boundary", fix: "chmod 755 /srv (by hand)",
    run: (f) => {
      if (!f.srv) return { status: "pass", evidence: "/srv does not exist" };
      return f.srv.mode & 0o002 ? { status: "fail", evidence: `/srv mode ${octal(f.srv.mode)}` } : { status: "pass", evidence: `/srv mode ${octal(f.srv.mode)}` };
    },
  },
  {
    id: "credentials-modes", title: "/srv/.credentials is 700, its files 600, all owned by root", severity: "high", source: "nixi: secrets", fix: "nixi system rebuild (tmpfiles sets 0700); chmod 600 /srv/.credentials/*",
    run: (f) => {
      if (!f.credentials) return { status: "pass", evidence: "/srv/.credentials does not exist" };
      const bad = [];
      if ((f.credentials.mode & 0o077) !== 0) bad.push(`/srv/.credentials mode ${octal(f.credentials.mode)}`);
      for (const c of f.credentialFiles) if (c.stat && (c.stat.mode & 0o077) !== 0) bad.push(`${c.name} mode ${octal(c.stat.mode)}`);
      // root-owned: another owner could read them whatever the mode (owners unknown when stat could not run)
      for (const [p, uid] of f.owners) if (p.startsWith("/srv/.credentials") && uid !== 0) bad.push(`${p} owned by uid ${uid}, not root`);
      return bad.length ? { status: "fail", evidence: bad.join(", ") } : { status: "pass", evidence: `folder and ${f.credentialFiles.length} file(s) private` };
    },
  },
  {
    id: "store-secrets", title: "no private keys or tokens in this system's store paths (sampled)", severity: "high", source: "NixOS wiki: the Nix store is world-readable", fix: "move the secret to a file under /srv/.credentials/ and use the option's …File variant",
    run: (f) => {
      const s = f.storeSample;
      if (!s) return unknown(f, "store", "the system closure");
      return s.hits.length ? { status: "fail", evidence: `secret-looking content in ${s.hits.slice(0, 5).join(", ")}` } : { status: s.scanned ? "pass" : "unknown", evidence: `${s.scanned} file(s) scanned within ${s.budgetMs / 1000} s` };
    },
  },
  sysctl("kernel.kptr_restrict", "sysctl-kptr-restrict", (v) => v >= 1, ">= 1"),
  sysctl("kernel.dmesg_restrict", "sysctl-dmesg-restrict", (v) => v === 1, "= 1", "low"),
  sysctl("kernel.unprivileged_bpf_disabled", "sysctl-unprivileged-bpf", (v) => v >= 1, ">= 1"),
  sysctl("kernel.yama.ptrace_scope", "sysctl-ptrace-scope", (v) => v >= 1, ">= 1", "low"),
  sysctl("net.ipv4.conf.all.rp_filter", "sysctl-rp-filter", (v) => v === 1 || v === 2, "= 1 or 2", "low"),
  sysctl("net.ipv4.conf.all.accept_redirects", "sysctl-accept-redirects", (v) => v === 0, "= 0"),
  sysctl("net.ipv6.conf.all.accept_redirects", "sysctl-accept-redirects", (v) => v === 0, "= 0"),
  sysctl("net.ipv4.conf.all.send_redirects", "sysctl-send-redirects", (v) => v === 0, "= 0", "low"),
  sysctl("net.ipv4.conf.all.accept_source_route", "sysctl-source-route", (v) => v === 0, "= 0"),
  sysctl("net.ipv4.tcp_syncookies", "sysctl-syncookies", (v) => v === 1, "= 1", "low"),
  sysctl("fs.protected_symlinks", "sysctl-protected-links", (v) => v === 1, "= 1"),
  unitActive("auditd.service", "auditd", "auditd records security events", "low", "STIG-style baseline (audit)"),
  {
    id: "systemd-exposure", title: "no service with an UNSAFE systemd exposure score", severity: "low", source: "systemd hardening (systemd-analyze security)", fix: "add sandboxing to the unit (ProtectSystem=, PrivateTmp=, NoNewPrivileges=...)",
    run: (f) => {
      if (f.analyzeSecurity === null) return unknown(f, "systemd-analyze", "systemd-analyze security");
      const rows = f.analyzeSecurity.split("\n").map((l) => l.trim().split(/\s+/)).filter((r) => r.length >= 3 && /\.service$/.test(r[0]) && !isNaN(Number(r[1])));
      const worst = rows.filter((r) => Number(r[1]) >= 9).sort((a, b) => Number(b[1]) - Number(a[1]));
      return worst.length ? { status: "warn", evidence: `top offenders: ${worst.slice(0, 5).map((r) => `${r[0]} ${r[1]}`).join(", ")}` } : { status: rows.length ? "pass" : "unknown", evidence: `${rows.length} unit(s) scored, none UNSAFE` };
    },
  },
  {
    id: "nix-sandbox", title: "the Nix build sandbox is on", severity: "high", source: WIKI, fix: harden("nix-sandbox"),
    run: (f) => {
      if (f.nixConf === null) return { status: "unknown", evidence: "/etc/nix/nix.conf could not be read" };
      const v = /^\s*sandbox\s*=\s*(\S+)/m.exec(f.nixConf)?.[1];
      return v === "false" ? { status: "fail", evidence: "sandbox = false" } : { status: "pass", evidence: `sandbox = ${v ?? "(default true)"}` };
    },
  },
  {
    id: "nix-trusted-users", title: "only root and wheel are Nix trusted users", severity: "medium", source: WIKI, fix: "nixi config set nix.settings.trusted-users '[\"root\"]'",
    run: (f) => {
      if (f.nixConf === null) return { status: "unknown", evidence: "/etc/nix/nix.conf could not be read" };
      const users = (/^\s*trusted-users\s*=\s*(.*)$/m.exec(f.nixConf)?.[1] ?? "root").trim().split(/\s+/);
      const extra = users.filter((u) => u !== "root" && u !== "@wheel");
      return users.includes("*") ? { status: "fail", evidence: "trusted-users = *" } : extra.length ? { status: "warn", evidence: `trusted-users: ${users.join(" ")}` } : { status: "pass", evidence: `trusted-users: ${users.join(" ")}` };
    },
  },
  {
    id: "nix-allowed-users", title: "Nix daemon access is limited (allowed-users)", severity: "low", source: WIKI, fix: "nixi config set nix.settings.allowed-users '[\"@wheel\"]'",
    run: (f) => {
      if (f.nixConf === null) return { status: "unknown", evidence: "/etc/nix/nix.conf could not be read" };
      const v = (/^\s*allowed-users\s*=\s*(.*)$/m.exec(f.nixConf)?.[1] ?? "*").trim();
      return v === "*" ? { status: "warn", evidence: "allowed-users = * (every user may talk to the daemon)" } : { status: "pass", evidence: `allowed-users = ${v}` };
    },
  },
  {
    id: "luks", title: "disks are encrypted (LUKS)", severity: "info", source: "NixOS wiki: full disk encryption",
    run: (f) => {
      if (f.lsblk === null) return unknown(f, "lsblk", "lsblk");
      try {
        const flat: any[] = [];
        const walk = (ds: any[]) => ds?.forEach((d) => (flat.push(d), walk(d.children)));
        walk(JSON.parse(f.lsblk).blockdevices);
        const luks = flat.filter((d) => d.fstype === "crypto_LUKS").map((d) => d.name);
        return { status: luks.length ? "pass" : "warn", evidence: luks.length ? `LUKS: ${luks.join(", ")}` : "no LUKS device" };
      } catch {
        return { status: "unknown", evidence: "lsblk output was not JSON" };
      }
    },
  },
  {
    id: "secure-boot", title: "Secure Boot state", severity: "info", source: "NixOS wiki: Secure Boot (lanzaboote)",
    run: (f) => (f.secureBoot === null ? unknown(f, "secure-boot", "mokutil --sb-state") : { status: /enabled/i.test(f.secureBoot) ? "pass" : "warn", evidence: f.secureBoot.trim() }),
  },
];

export function runChecks(f: Facts, only?: string[]): CheckResult[] {
  return CHECKS.filter((c) => !only?.length || only.includes(c.id)).map((c) => {
    let v: Verdict;
    try {
      v = c.run(f);
    } catch (e: any) {
      v = { status: "unknown", evidence: `check failed: ${e.message}` };
    }
    return { id: c.id, title: c.title, severity: c.severity, status: v.status, evidence: redact(v.evidence), source: c.source, fix: c.fix ?? null };
  });
}
