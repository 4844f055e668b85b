// nixi's known_hosts gets one line per recorded key; the key type (read from the server's key blob)
// or a host name with whitespace must not be able to add a line such as `@cert-authority * ...`.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addHostKey, keyTypeOf } from "../../src/exec/known-hosts.js";
import { tempDir } from "../helpers/tree.js";

describe("known_hosts lines cannot be injected", () => {
  it("a key blob whose type holds a newline is refused, and the file is not touched", async () => {
    const file = join(tempDir("nixi-sec-"), "known_hosts");
    const type = "ssh-ed25519\n@cert-authority * ssh-ed25519";
    const blob = Buffer.concat([Buffer.alloc(4), Buffer.from(type, "latin1"), Buffer.from("AAAA")]);
    blob.writeUInt32BE(type.length, 0);
    expect(keyTypeOf(blob)).toBe(type);
    await expect(addHostKey(file, "10.0.0.5", 22, { type: keyTypeOf(blob), key: blob.toString("base64") })).rejects.toThrow(/malformed/);
    await expect(addHostKey(file, "10.0.0.5 evil", 22, { type: "ssh-ed25519", key: "AAAAC3Nz" })).rejects.toThrow(/malformed/);
    await expect(addHostKey(file, "a,*", 22, { type: "ssh-ed25519", key: "AAAAC3Nz" })).rejects.toThrow(/malformed/);
    expect(existsSync(file)).toBe(false);
    await addHostKey(file, "10.0.0.5", 2222, { type: "ssh-ed25519", key: "AAAAC3NzaC1lZDI1NTE5AAAAIB" });
    expect(readFileSync(file, "utf8")).toBe("[10.0.0.5]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB\n");
  });
});
