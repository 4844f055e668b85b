// Findings about the machine's own settings: firewall, SSH, sudo, the Nix sandbox.
import type { State } from "../../nixos/state.js";
import type { Finding } from "../../core/findings.js";
import { optionValue, optionsMatching } from "./option-lookup.js";
import { readFirewall } from "../../firewall/state.js";
import { covers } from "../../firewall/ports.js";

/** Password login is on unless nixi's state turns it off (the NixOS default is on). */
export function passwordLoginOn(state: State): boolean {
  const pa = optionValue(state, "services.openssh.settings.PasswordAuthentication");
  const kbd = optionValue(state, "services.openssh.settings.KbdInteractiveAuthentication");
  return pa !== false || kbd !== false;
}

function sshPorts(state: State): number[] {
  const p = optionValue(state, "services.openssh.ports");
  return Array.isArray(p) && p.every((x) => typeof x === "number") ? (p as number[]) : [22];
}

/** sudoers text that grants every command (… ALL=(ALL) ALL, … NOPASSWD: ALL). */
export const grantsAll = (text: string) => /(^|\n)\s*[^#\n]*=\s*(\([^)]*\)\s*)?(NOPASSWD:\s*)?ALL\s*($|\n)/.test(text);

export function systemFindings(state: State): Finding[] {
  const out: Finding[] = [];
  if (optionValue(state, "networking.firewall.enable") === false) {
    out.push({
      id: "firewall-disabled",
      what: "turn the NixOS firewall off (networking.firewall.enable = false)",
      why: "every listening service becomes reachable from every network the machine is on",
      alternative: "nixi fw open PORT[/PROTO] (open only the ports you need)",
    });
  }
  const pa = optionValue(state, "services.openssh.settings.PasswordAuthentication");
  if (pa === true) {
    out.push({
      id: "ssh-password-auth",
      what: "allow SSH password login (services.openssh.settings.PasswordAuthentication = true)",
      why: "passwords can be guessed or reused; SSH keys cannot be brute-forced",
      alternative: "nixi user ssh-key add USER 'ssh-ed25519 AAAA...' (log in with a key)",
    });
  }
  if (optionValue(state, "services.openssh.settings.KbdInteractiveAuthentication") === true) {
    out.push({
      id: "ssh-password-auth",
      what: "allow SSH keyboard-interactive login (services.openssh.settings.KbdInteractiveAuthentication = true)",
      why: "keyboard-interactive is password login by another name",
      alternative: "nixi user ssh-key add USER 'ssh-ed25519 AAAA...' (log in with a key)",
    });
  }
  const prl = optionValue(state, "services.openssh.settings.PermitRootLogin");
  if (prl === "yes") {
    out.push({
      id: "ssh-root-password-login",
      what: "allow root to log in over SSH with a password (PermitRootLogin = \"yes\")",
      why: "root is the one account name every attacker knows",
      alternative: "nixi config set services.openssh.settings.PermitRootLogin prohibit-password (root with a key only)",
    });
  }
  // SSH reachable from everywhere while password login is on
  const fw = (() => {
    try {
      return readFirewall(state);
    } catch {
      return null;
    }
  })();
  const fwOpen = fw ? sshPorts(state).filter((p) => covers(fw.tcp, { from: p, to: p })) : [];
  const sshOn = optionValue(state, "services.openssh.enable") === true && optionValue(state, "services.openssh.openFirewall") !== false;
  if ((fwOpen.length || sshOn) && passwordLoginOn(state) && optionValue(state, "networking.firewall.enable") !== false) {
    out.push({
      id: "ssh-open-password-login",
      what: `open SSH (port ${(fwOpen.length ? fwOpen : sshPorts(state)).join(", ")}) to every network while password login is on`,
      why: "an SSH port that accepts passwords is brute-forced within minutes of facing the internet",
      alternative: "nixi security harden --check ssh-password-auth (key login only; refuses when your user has no key), then open the port",
    });
  }
  const sandbox = optionValue(state, "nix.settings.sandbox") ?? optionValue(state, "nix.useSandbox");
  if (sandbox === false) {
    out.push({
      id: "nix-sandbox-disabled",
      what: "turn the Nix build sandbox off (nix.settings.sandbox = false)",
      why: "builds could read the host's files and reach the network, and the results are no longer reproducible",
      alternative: "keep the sandbox; for one build that needs it, nix build --option sandbox relaxed (as a trusted user)",
    });
  }
  if (optionValue(state, "security.sudo.wheelNeedsPassword") === false) {
    out.push({
      id: "sudo-wheel-nopasswd",
      what: "let wheel members use sudo without a password (security.sudo.wheelNeedsPassword = false)",
      why: "anyone who gets a wheel user's session (a stolen key, a browser exploit) is root at once",
      alternative: "keep the password; nixi's own rules (nixi node setup) allow only the programs nixi runs",
    });
  }
  for (const e of optionsMatching(state, "security.sudo.extraConfig")) {
    if (typeof e.value === "string" && grantsAll(e.value)) {
      out.push({ id: "sudo-grants-all", what: "a sudoers rule in security.sudo.extraConfig grants ALL commands", why: "a rule granting ALL makes its user root", alternative: "list the commands the user needs (security.sudo.extraRules with a commands list)" });
    }
  }
  for (const e of optionsMatching(state, "security.sudo.extraRules")) {
    const rules = Array.isArray(e.value) ? e.value : [];
    for (const r of rules) {
      const cmds = r && typeof r === "object" && Array.isArray((r as any).commands) ? (r as any).commands : [];
      if (cmds.some((c: any) => c === "ALL" || (c && typeof c === "object" && c.command === "ALL"))) {
        out.push({ id: "sudo-grants-all", what: "a rule in security.sudo.extraRules grants ALL commands", why: "a rule granting ALL makes its user root", alternative: "name the commands the user needs in that rule's commands list" });
      }
    }
  }
  return out;
}
