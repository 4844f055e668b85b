// Names, groups and shells accepted by the user commands.
import { checked, matching } from "../core/check.js";

import { USER_NAME_RE as NAME_RE } from "./names.js";

export { NAME_RE };

export const UserName = matching(NAME_RE, "not a user name (a lower-case letter or _, then up to 31 of a-z 0-9 _ -)");
export const GroupName = matching(NAME_RE, "not a group name (a lower-case letter or _, then up to 31 of a-z 0-9 _ -)");

/** Login shells nixi declares: name -> nixpkgs attribute, and the programs.<x>.enable it needs. */
export const SHELLS = {
  bash: { pkg: "bashInteractive", program: null },
  zsh: { pkg: "zsh", program: "zsh" },
  fish: { pkg: "fish", program: "fish" },
} as const;
export type ShellName = keyof typeof SHELLS;
export const SHELL_NAMES = Object.keys(SHELLS) as ShellName[];
export const ShellArg = checked((s): ShellName => {
  if (!(SHELL_NAMES as string[]).includes(s)) throw new Error(`not a shell nixi declares (one of: ${SHELL_NAMES.join(", ")})`);
  return s as ShellName;
});

/** Comma-separated group list (--groups a,b). */
export const GroupList = checked((s) => {
  const out: string[] = [];
  for (const g of s.split(",").map((x) => x.trim()).filter(Boolean)) {
    if (!NAME_RE.test(g)) throw new Error(`${JSON.stringify(g)} is not a group name (a lower-case letter or _, then up to 31 of a-z 0-9 _ -)`);
    if (!out.includes(g)) out.push(g);
  }
  return out;
});
