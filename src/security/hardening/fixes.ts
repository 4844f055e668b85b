// The declarative fixes `nixi security harden` can write to hardening.nix, one per audit check id.
// Option paths are NixOS options verified against ../shared/nixos (test/security/harden-options.test.ts);
// a key inside boot.kernel.sysctl is an attribute of that declared option, not an option itself.
export type FixValue = boolean | number | string | string[];

export interface Fix {
  /** The audit check id this fixes. */
  id: string;
  /** Option path (dotted; sysctl keys quoted) -> value. */
  options: Array<{ path: string[]; value: FixValue; why: string }>;
  /** Turns password login off: refused when the user nixi connects as has no authorized key. */
  needsKeyLogin?: boolean;
}

const sysctl = (key: string, value: number, why: string) => ({ path: ["boot", "kernel", "sysctl", key], value, why });
const ssh = (key: string, value: FixValue, why: string) => ({ path: ["services", "openssh", "settings", key], value, why });

export const STRONG_CIPHERS = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr"];
export const STRONG_MACS = ["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "umac-128-etm@openssh.com"];
export const STRONG_KEX = ["mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group-exchange-sha256"];

export const FIXES: Fix[] = [
  { id: "firewall-enabled", options: [{ path: ["networking", "firewall", "enable"], value: true, why: "the NixOS firewall drops what no rule allows" }] },
  { id: "ssh-password-auth", needsKeyLogin: true, options: [ssh("PasswordAuthentication", false, "passwords can be guessed; keys cannot (DevSec SSH baseline)")] },
  { id: "ssh-kbd-interactive", needsKeyLogin: true, options: [ssh("KbdInteractiveAuthentication", false, "keyboard-interactive is password login by another name")] },
  { id: "ssh-root-login", options: [ssh("PermitRootLogin", "prohibit-password", "root may log in with a key only, never with a password (keeps key login for nixi)")] },
  { id: "ssh-x11-forwarding", options: [ssh("X11Forwarding", false, "X11 forwarding exposes the client's display to the server")] },
  { id: "ssh-ciphers", options: [ssh("Ciphers", STRONG_CIPHERS, "only AEAD and CTR ciphers (no CBC, 3DES, arcfour)")] },
  { id: "ssh-macs", options: [ssh("Macs", STRONG_MACS, "only encrypt-then-MAC with SHA-2 (no MD5, SHA-1, 64-bit umac)")] },
  { id: "ssh-kex", options: [ssh("KexAlgorithms", STRONG_KEX, "no SHA-1 or small-group Diffie-Hellman key exchange")] },
  { id: "fail2ban", options: [{ path: ["services", "fail2ban", "enable"], value: true, why: "bans addresses that keep failing to log in" }] },
  { id: "auto-upgrade", options: [{ path: ["system", "autoUpgrade", "enable"], value: true, why: "security fixes arrive without waiting for a person (no reboot: allowReboot stays false)" }] },
  { id: "auditd", options: [
    { path: ["security", "auditd", "enable"], value: true, why: "records security-relevant events (STIG-style baselines require it)" },
    { path: ["security", "audit", "enable"], value: true, why: "the kernel audit subsystem auditd reads from" },
  ] },
  { id: "sudo-wheel-password", options: [{ path: ["security", "sudo", "wheelNeedsPassword"], value: true, why: "a stolen session of a wheel user cannot become root without the password" }] },
  { id: "sudo-exec-wheel-only", options: [{ path: ["security", "sudo", "execWheelOnly"], value: true, why: "only wheel members can even execute sudo (smaller attack surface)" }] },
  { id: "nix-sandbox", options: [{ path: ["nix", "settings", "sandbox"], value: true, why: "builds cannot read the host or the network outside fixed-output derivations" }] },
  { id: "sysctl-kptr-restrict", options: [sysctl("kernel.kptr_restrict", 2, "kernel addresses are hidden from everyone (KASLR bypasses)")] },
  { id: "sysctl-dmesg-restrict", options: [sysctl("kernel.dmesg_restrict", 1, "only root reads the kernel log")] },
  { id: "sysctl-unprivileged-bpf", options: [sysctl("kernel.unprivileged_bpf_disabled", 1, "unprivileged eBPF is a frequent kernel exploit path")] },
  { id: "sysctl-ptrace-scope", options: [sysctl("kernel.yama.ptrace_scope", 1, "a process can only trace its own children")] },
  { id: "sysctl-rp-filter", options: [
    sysctl("net.ipv4.conf.all.rp_filter", 1, "drop packets with spoofed source addresses"),
    sysctl("net.ipv4.conf.default.rp_filter", 1, "the same for interfaces created later"),
  ] },
  { id: "sysctl-accept-redirects", options: [
    sysctl("net.ipv4.conf.all.accept_redirects", 0, "ICMP redirects let a neighbour reroute traffic"),
    sysctl("net.ipv4.conf.default.accept_redirects", 0, "the same for interfaces created later"),
    sysctl("net.ipv6.conf.all.accept_redirects", 0, "the same for IPv6"),
    sysctl("net.ipv6.conf.default.accept_redirects", 0, "the same for IPv6 interfaces created later"),
  ] },
  { id: "sysctl-send-redirects", options: [sysctl("net.ipv4.conf.all.send_redirects", 0, "a host that is not a router sends no redirects")] },
  { id: "sysctl-source-route", options: [sysctl("net.ipv4.conf.all.accept_source_route", 0, "source-routed packets choose their own path past filters")] },
  { id: "sysctl-syncookies", options: [sysctl("net.ipv4.tcp_syncookies", 1, "SYN floods cannot exhaust the connection table")] },
  { id: "sysctl-protected-links", options: [
    sysctl("fs.protected_symlinks", 1, "no following other users' symlinks in sticky folders (/tmp races)"),
    sysctl("fs.protected_hardlinks", 1, "no hard links to files one cannot write"),
  ] },
];

export const fixById = (id: string) => FIXES.find((f) => f.id === id);
