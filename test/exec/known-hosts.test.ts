import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { addHostKey, lookupHost, removeHost, hostPattern } from "../../src/exec/known-hosts.js";
import { tempDir } from "../helpers/tree.js";

describe("known_hosts", () => {
  it("adds, finds (plain and hashed), and removes only the named host", async () => {
    const d = tempDir("nixi-kh-");
    const f = join(d, "sub", "known_hosts");
    expect(await lookupHost(f, "h", 22)).toEqual({ keys: [], revoked: [] });
    await addHostKey(f, "10.0.0.1", 22, { type: "ssh-ed25519", key: "AAAA1" });
    await addHostKey(f, "10.0.0.2", 2222, { type: "ssh-ed25519", key: "AAAA2" });
    writeFileSync(f, readFileSync(f, "utf8") + "# keep me\n10.0.0.3,10.0.0.1 ssh-rsa AAAA3");
    await addHostKey(f, "10.0.0.4", 22, { type: "ssh-ed25519", key: "AAAA4" });
    expect(readFileSync(f, "utf8")).toBe(
      "10.0.0.1 ssh-ed25519 AAAA1\n[10.0.0.2]:2222 ssh-ed25519 AAAA2\n# keep me\n10.0.0.3,10.0.0.1 ssh-rsa AAAA3\n10.0.0.4 ssh-ed25519 AAAA4\n",
    );
    expect((await lookupHost(f, "10.0.0.1", 22)).keys).toEqual([
      { type: "ssh-ed25519", key: "AAAA1" },
      { type: "ssh-rsa", key: "AAAA3" },
    ]);
    expect((await lookupHost(f, "10.0.0.2", 22)).keys).toEqual([]);
    expect(await removeHost(f, "10.0.0.1", 22)).toBe(2);
    expect(readFileSync(f, "utf8")).toBe("[10.0.0.2]:2222 ssh-ed25519 AAAA2\n# keep me\n10.0.0.3 ssh-rsa AAAA3\n10.0.0.4 ssh-ed25519 AAAA4\n");
    expect(await removeHost(f, "10.0.0.9", 22)).toBe(0);
    // hashed entries as written by ssh-keygen -H
    const h = join(d, "hashed");
    writeFileSync(h, `${hostPattern("10.9.9.9", 2200)} ssh-ed25519 AAAAH\n`);
    execFileSync("ssh-keygen", ["-H", "-f", h], { stdio: "ignore" });
    expect(readFileSync(h, "utf8")).toMatch(/^\|1\|/);
    expect((await lookupHost(h, "10.9.9.9", 2200)).keys).toEqual([{ type: "ssh-ed25519", key: "AAAAH" }]);
    expect(await removeHost(h, "10.9.9.9", 2200)).toBe(1);
  });
});
