// The built CLI (bin/nixi, after `npm run build`): the gate, the exposure default, audit and harden
// behave the same as from source.
import { afterAll, describe, expect, it } from "vitest";
import { runBin } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, read } from "../helpers/tree.js";

afterAll(cleanupRoots);

describe("security through bin/nixi", () => {
  it("the gate refuses with exit 4 and the alternative; --insecure --yes applies", async () => {
    const root = makeRoot({ "srv/.keep": "" });
    const before = treeHash(root);
    const r = await runBin(`config set networking.firewall.enable false --yes --no-rebuild --root ${root}`);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/\[firewall-disabled\][\s\S]*instead: nixi fw open/);
    expect(treeHash(root)).toBe(before);
    const ok = await runBin(`config set networking.firewall.enable false --insecure --yes --no-rebuild --json --root ${root}`);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json.plan.findings[0].id).toBe("firewall-disabled");
  });

  it("container ports default to 127.0.0.1; a public database needs --insecure", async () => {
    const root = makeRoot({ "srv/.keep": "" });
    const r = await runBin(`container deploy db --image postgres:16 --port 5432:5432 --backend podman --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(read(root, "etc/nixos/nixi/containers.nix")).toContain('"127.0.0.1:5432:5432/tcp"');
    const pub = await runBin(`container deploy db --image postgres:16 --port 5432:5432 --public --backend podman --yes --no-rebuild --json --root ${root}`);
    expect(pub.exitCode).toBe(4);
    expect(pub.json.error.details.findings[0].alternative).toContain("127.0.0.1:5432:5432");
  });

  it("audit and harden run from the bundle", async () => {
    const root = makeRoot({ "etc/passwd": "root:x:0:0::/root:/bin/sh\n", "proc/sys/kernel/kptr_restrict": "0\n" });
    const a = await runBin(`security audit --check sysctl-kptr-restrict --json --root ${root}`);
    expect(a.exitCode).toBe(0); // medium severity: no exit 8
    expect(a.json.data.checks[0]).toMatchObject({ id: "sysctl-kptr-restrict", status: "fail", fix: "nixi security harden --check sysctl-kptr-restrict" });
    const h = await runBin(`security harden --check sysctl-kptr-restrict --yes --no-rebuild --json --root ${root}`);
    expect(h.exitCode, h.stderr).toBe(0);
    expect(read(root, "etc/nixos/nixi/hardening.nix")).toMatch(/"kernel\.kptr_restrict" = 2;/);
  });
});
