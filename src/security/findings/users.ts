// Findings about accounts: wheel members that can only log in with a password, empty passwords
// set through options, and weak passwords given to `nixi user password`.
import type { State } from "../../nixos/state.js";
import type { Finding } from "../../core/findings.js";
import { readUsers } from "../../users/state.js";
import { optionsMatching } from "./option-lookup.js";

export function userFindings(state: State): Finding[] {
  const out: Finding[] = [];
  let users: ReturnType<typeof readUsers> = {};
  try {
    users = readUsers(state);
  } catch {
    /* the users area reports a broken table */
  }
  for (const [name, u] of Object.entries(users)) {
    if (u.groups.includes("wheel") && u.sshKeys.length === 0) {
      out.push({
        id: "wheel-user-without-key",
        what: `${name} is in wheel (may become root) without an SSH key`,
        why: "an administrator without a key logs in with a password, which can be guessed or phished",
        alternative: `nixi user add ${name} --groups wheel --ssh-key 'ssh-ed25519 AAAA... ${name}@laptop'`,
      });
    }
  }
  for (const field of ["hashedPassword", "password", "initialPassword", "initialHashedPassword"]) {
    for (const e of optionsMatching(state, `users.users.*.${field}`)) {
      if (e.value === "") out.push({ id: "user-empty-password", what: `users.users.${e.path[2]}.${field} is empty: login without a password`, why: "anyone can log in as this user", alternative: `nixi user password ${e.path[2]} (masked prompt), or nixi user lock ${e.path[2]}` });
    }
  }
  return out;
}

const COMMON = new Set(["password", "passw0rd", "123456", "12345678", "123456789", "1234567890", "qwerty", "qwertyuiop", "letmein", "welcome", "admin", "administrator", "root", "toor", "changeme", "iloveyou", "monkey", "dragon", "secret", "nixos", "trustno1", "abc123", "111111", "000000"]);

/** Weak: shorter than 12, a common password (also with digits appended), the user's name, or one repeated character. */
export function weakPassword(user: string, pw: string): string | null {
  const lower = pw.toLowerCase();
  if (pw.length < 12) return `it is ${pw.length} characters long (at least 12)`;
  if (COMMON.has(lower.replace(/[0-9!._-]+$/, "")) || COMMON.has(lower)) return "it is a well-known password";
  if (user.length >= 3 && lower.includes(user.toLowerCase())) return "it contains the user name";
  if (/^(.)\1+$/.test(pw) || /^(0123456789|1234567890|abcdefghijkl)/.test(lower)) return "it is one repeated character or a simple sequence";
  return null;
}

export function weakPasswordFinding(user: string, pw: string): Finding | null {
  const why = weakPassword(user, pw);
  return why
    ? { id: "user-weak-password", what: `set a weak password for ${user}: ${why}`, why: "weak passwords fall to guessing, especially over SSH", alternative: `a long passphrase (pwgen -s 20 1, or four random words), or nixi user ssh-key add ${user} KEY and nixi user lock ${user}` }
    : null;
}
