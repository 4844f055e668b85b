import { describe, expect, it } from "vitest";
import { makeEnv, treeHash } from "./_env.js";

describe("channel", () => {
  const e = makeEnv();
  it("list", async () => {
    const j = await e.run("channel list --json");
    expect(j.exitCode, j.stderr).toBe(0);
    expect(e.calls()).toEqual(["nix-channel --list"]);
    expect(j.json.data).toEqual({
      configuration: "channels",
      channels: [
        { name: "nixos", url: "https://nixos.org/channels/nixos-24.11" },
        { name: "nixos-hardware", url: "https://github.com/NixOS/nixos-hardware/archive/master.tar.gz" },
      ],
    });
    const h = await e.run("channel list");
    expect(h.stdout).toMatch(/^nixos\s+https:\/\/nixos\.org\/channels\/nixos-24\.11$/m);
    e.calls();
  });
  it("update (operate)", async () => {
    const r = await e.run("channel update nixos --json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ updated: ["nixos"] });
    expect(e.calls()).toEqual(["nix-channel --list", "nix-channel --update nixos"]);
    const all = await e.run("channel update");
    expect(all.stdout).toContain("updated nixos, nixos-hardware");
    expect(e.calls()).toEqual(["nix-channel --list", "nix-channel --update"]);
    const bad = await e.run("channel update nope --json");
    expect(bad.exitCode).toBe(1);
    expect(bad.json.error.code).toBe("NOT_FOUND");
    e.calls();
  });
  it("add / remove: dry-run and non-TTY change nothing; --yes applies", async () => {
    const before = treeHash(e.root);
    const d = await e.run("channel add unstable https://nixos.org/channels/nixos-unstable --dry-run --json");
    expect(d.exitCode).toBe(0);
    expect(d.json.plan.commands).toEqual(["nix-channel --add https://nixos.org/channels/nixos-unstable unstable", "nix-channel --update unstable"]);
    expect((await e.run("channel add unstable https://nixos.org/channels/nixos-unstable")).exitCode).toBe(3);
    expect((await e.run("channel remove nixos-hardware --dry-run")).exitCode).toBe(0);
    expect((await e.run("channel remove nixos-hardware")).exitCode).toBe(3);
    expect(treeHash(e.root)).toBe(before);
    expect(e.calls().filter((c) => c !== "nix-channel --list")).toEqual([]);

    const a = await e.run("channel add unstable https://nixos.org/channels/nixos-unstable --yes --json");
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.json.data).toEqual({ name: "unstable", url: "https://nixos.org/channels/nixos-unstable", previousUrl: null });
    expect(e.calls().filter((c) => c !== "nix-channel --list")).toEqual(["nix-channel --add https://nixos.org/channels/nixos-unstable unstable", "nix-channel --update unstable"]);
    const again = await e.run("channel add unstable https://nixos.org/channels/nixos-unstable --yes --json");
    expect(again.json.changed).toBe(false);
    const rm = await e.run("channel remove unstable --yes --json");
    expect(rm.exitCode).toBe(0);
    expect(e.calls().filter((c) => c !== "nix-channel --list")).toEqual(["nix-channel --remove unstable"]);
    const l = await e.run("channel list --json");
    expect(l.json.data.channels.map((c: any) => c.name)).toEqual(["nixos", "nixos-hardware"]);
    const missing = await e.run("channel remove unstable --yes");
    expect(missing.exitCode).toBe(1);
    e.calls();
  });
  it("bad names and URLs are exit 2", async () => {
    for (const args of [["add", "x y", "https://a"], ["add", "-x", "https://a"], ["add", "x", "file:///etc/passwd"], ["add", "x", "https://a b"], ["add", "x", "ftp://a"], ["remove", "../x"]]) {
      const r = await e.run(["channel", ...args, "--yes"]);
      expect(r.exitCode, args.join(" ")).toBe(2);
    }
    expect(e.calls()).toEqual([]);
  });
  it("on a flake system channels do not apply", async () => {
    const f = makeEnv({ flake: true });
    const l = await f.run("channel list --json");
    expect(l.exitCode).toBe(0);
    expect(l.json.data.configuration).toBe("flake");
    expect(l.json.warnings[0]).toContain("channels do not apply");
    for (const cmd of ["channel update", "channel add x https://a.example/x --yes", "channel remove nixos --yes"]) {
      const r = await f.run(cmd);
      expect(r.exitCode, cmd).toBe(2);
      expect(r.stderr).toContain("nixi system upgrade");
    }
  });
});
