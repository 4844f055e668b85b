// The local executor with real programs: argv byte-exact, stdin, exit codes, timeouts, files under --root.
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "../../src/exec/local.js";
import { makeRoot, cleanupRoots } from "../helpers/tree.js";
import { symlinkSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";

afterAll(cleanupRoots);
const exec = (root = "/") => new LocalExecutor({ root, env: process.env, sudo: false });

describe("LocalExecutor.run", () => {
  it("passes argv byte-exact, never through a shell", async () => {
    const hostile = ["$(touch /tmp/nixi-pwned)", "`id`", "a;b", "'q'", '"dq"', "line1\nline2", "*", ""];
    const r = await exec().run(["printf", "%s\\0", ...hostile]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(hostile);
  });
  it("feeds stdin and reports exit codes and stderr", async () => {
    const r = await exec().run(["sh", "-c", 'cat; echo oops >&2; exit 3'], { input: "secret-in\n" });
    expect(r).toMatchObject({ exitCode: 3, stdout: "secret-in\n", stderr: "oops\n" });
  });
  it("reports a missing program", async () => {
    const r = await exec().run(["nixi-no-such-program"]);
    expect(r).toMatchObject({ exitCode: 127, notFound: true });
  });
  it("kills a program that outlives its timeout", async () => {
    const t0 = Date.now();
    const r = await exec().run(["sleep", "30"], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
  it("wraps privileged calls in sudo -n when not root", async () => {
    const root = makeRoot();
    const bin = join(root, "bin");
    mkdirSync(bin);
    const { writeFileSync, chmodSync } = await import("node:fs");
    writeFileSync(join(bin, "sudo"), '#!/bin/sh\nprintf "sudo %s\\n" "$*"\n');
    chmodSync(join(bin, "sudo"), 0o755);
    const e = new LocalExecutor({ root: "/", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, sudo: true });
    expect((await e.run(["nixos-rebuild", "switch"], { privileged: true })).stdout).toBe("sudo -n -- nixos-rebuild switch\n");
    expect((await e.run(["echo", "plain"])).stdout).toBe("plain\n");
  });
});

describe("LocalExecutor files under --root", () => {
  it("writes atomically with a mode, reads, and resolves symlinks inside the root", async () => {
    const root = makeRoot();
    const e = exec(root);
    await e.writeFile("/srv/.credentials/web.env", "K=V\n", { mode: 0o600 });
    expect(statSync(join(root, "srv/.credentials/web.env")).mode & 0o777).toBe(0o600);
    expect(await e.readFile("/srv/.credentials/web.env")).toBe("K=V\n");
    expect(await e.readFile("/nope")).toBeNull();
    // an absolute symlink target is a machine path: it resolves inside the root
    mkdirSync(join(root, "srv/web"), { recursive: true });
    symlinkSync("/etc", join(root, "srv/web/data"));
    mkdirSync(join(root, "etc"), { recursive: true });
    // `..` applies after the symlink: /srv/web/data/.. is the parent of /etc
    expect(await e.realpath("/srv/web/data/../srv")).toBe("/srv");
    expect(await e.realpath("/srv/web/data")).toBe("/etc");
    expect(await e.realpath("/srv/web/missing")).toBeNull();
    expect(await e.mkdir("/lock", { exclusive: true })).toBe(true);
    expect(await e.mkdir("/lock", { exclusive: true })).toBe(false);
    await e.remove("/srv/web", { recursive: true });
    expect(await e.stat("/srv/web")).toBeNull();
  });
});

describe("LocalExecutor temp files", () => {
  it("never follows or reuses what is already at a temp name: it takes the next name", async () => {
    const { readdirSync, readFileSync, writeFileSync } = await import("node:fs");
    const { vi } = await import("vitest");
    const root = makeRoot();
    const dir = join(root, "etc/nixos/nixi");
    mkdirSync(dir, { recursive: true });
    const victim = join(root, "victim");
    writeFileSync(victim, "untouched\n");
    // A temp name is pid, clock, counter. For one clock value, every name the next attempts could
    // take is already there: symlinks to the victim, and one plain file.
    const T = 1_700_000_000_000;
    const planted = 50;
    for (let seq = 0; seq < planted; seq++) {
      const name = join(dir, `.firewall.nix.${process.pid}.${T.toString(36)}${seq.toString(36)}.tmp`);
      if (seq === 2) writeFileSync(name, "someone else's\n");
      else symlinkSync(victim, name);
    }
    let calls = 0;
    const now = vi.spyOn(Date, "now").mockImplementation(() => (++calls <= 4 ? T : T + 1));
    try {
      await exec(root).writeFile("/etc/nixos/nixi/firewall.nix", "{ networking.firewall.allowedTCPPorts = [ 22 ]; }\n");
    } finally {
      now.mockRestore();
    }
    expect(calls).toBe(5); // four names were taken, the fifth was free
    expect(readFileSync(join(dir, "firewall.nix"), "utf8")).toContain("allowedTCPPorts");
    expect(readFileSync(victim, "utf8")).toBe("untouched\n");
    // what was there is left as it was, and nixi left no temp file of its own
    expect(readdirSync(dir).length).toBe(planted + 1);
  });
});

describe("LocalExecutor recursive remove", () => {
  it("removes a folder of files, a nested tree, and a symlink to a folder without touching its target", async () => {
    const { existsSync, readdirSync, writeFileSync } = await import("node:fs");
    const root = makeRoot();
    const e = exec(root);
    mkdirSync(join(root, "lock"));
    writeFileSync(join(root, "lock/holder"), "pid=1\n");
    await e.remove("/lock", { recursive: true });
    expect(existsSync(join(root, "lock"))).toBe(false);
    mkdirSync(join(root, "tree/a/b"), { recursive: true });
    writeFileSync(join(root, "tree/a/b/f"), "x");
    writeFileSync(join(root, "tree/g"), "y");
    await e.remove("/tree", { recursive: true });
    expect(existsSync(join(root, "tree"))).toBe(false);
    mkdirSync(join(root, "target"));
    writeFileSync(join(root, "target/keep"), "z");
    symlinkSync(join(root, "target"), join(root, "link"));
    await e.remove("/link", { recursive: true });
    expect(existsSync(join(root, "link"))).toBe(false);
    expect(readdirSync(join(root, "target"))).toEqual(["keep"]);
    await e.remove("/missing", { recursive: true }); // nothing there: no error
  });
});
