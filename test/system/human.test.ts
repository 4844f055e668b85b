// Human output of the change commands: the plan summary as "✓" lines, data after it.
import { describe, expect, it } from "vitest";
import { makeEnv, makeProfiles } from "./_env.js";

describe("human output of change commands", () => {
  it("prints what was done", async () => {
    const e = makeEnv();
    makeProfiles(e);
    const cases: Array<[string, RegExp]> = [
      ["system rollback --yes", /^✓ switch the system from generation 42 \(NixOS 24\.11\.20241123\.5e4fbfb, 2026-11-20\) to 41/m],
      ["system reboot --when +5 --yes", /^✓ schedule a reboot at \+5 \(cancel with `shutdown -c`\)$/m],
      ["system upgrade --yes", /^✓ update the channels and rebuild with nixos-rebuild switch --upgrade$/m],
      ["system gc --keep 2 --yes", /^✓ delete system generations 40\n✓ collect garbage in the Nix store.*\n✓ update the boot menu\nfreed 567\.5 MiB \(1234 store paths\)$/m],
      ["pkg install htop --yes", /^✓ install htop$/m],
      ["pkg remove htop --yes", /^✓ remove htop$/m],
      ["channel add unstable https://nixos.org/channels/nixos-unstable --yes", /^✓ add channel unstable = https:\/\/nixos\.org\/channels\/nixos-unstable$/m],
      ["channel remove unstable --yes", /^✓ remove channel unstable \(https:\/\/nixos\.org\/channels\/nixos-unstable\)$/m],
      ["timer create backup --command true --on-calendar daily --yes", /^✓ add timer nixi-backup \(daily = \*-\*-\* 00:00:00\): true\nnext run: \w{3} \d{4}-\d{2}-\d{2} 00:00:00 UTC$/m],
      ["timer remove backup --yes", /^✓ remove timer nixi-backup$/m],
      ["pkg install htop --yes --dry-run", /^Plan:\n {2}• install htop\nFiles:\n/m],
    ];
    for (const [cmd, re] of cases) {
      const r = await e.run(cmd, { env: { NIXI_FAKE_STATE: e.state } });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(0);
      expect(r.stdout, cmd).toMatch(re);
    }
  });
});
