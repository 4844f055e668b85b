// The code cache of the built CLI on Node without module.enableCompileCache (src/boot/compile-cache.ts):
// made private (folder 700, file 600) on the first run, read and left alone on the next, ignored when
// it is not this user's alone, survives a corrupt blob, and off with NIXI_COMPILE_CACHE=0. Runs the
// built bin/nixi; the ownership checks also as a unit (a foreign owner cannot be made without a
// second user).
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import { REPO, runBin } from "../helpers/run.js";
import { initialisedRoot, tempDir } from "../helpers/tree.js";
import { cacheDir, readBlob, writeBlob } from "../../src/boot/compile-cache.js";

const ownCache = typeof (Module as any).enableCompileCache !== "function"; // Node < 22.1
const buildId = () => readFileSync(join(REPO, "dist/build-id"), "utf8").trim();
const blobName = () => `${buildId()}-${process.version}-${process.arch}.cache`;

const root = initialisedRoot();
async function fwList(home: string, env: Record<string, string> = {}) {
  const r = await runBin(["--root", root, "fw", "list", "--json"], { env: { HOME: home, XDG_CACHE_HOME: undefined as any, NIXI_ROOT_EXEC: undefined as any, ...env } });
  expect(r.exitCode, r.stderr).toBe(0);
  return r;
}

describe("compile cache of the built CLI", () => {
  it("first run writes a private blob for this build; the next run reads it and writes nothing", async () => {
    const home = tempDir();
    const first = await fwList(home);
    const dir = join(home, ".cache/nixi");
    if (!ownCache) {
      // Node's own compile cache is used instead: nixi writes none of its own
      expect(existsSync(join(dir, blobName()))).toBe(false);
      return;
    }
    const file = join(dir, blobName());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const blob = readBlob(file, process.getuid!());
    expect(blob).not.toBeNull();
    expect(Object.keys(blob!.index)).toContain("main.js");
    const before = statSync(file);
    const second = await fwList(home);
    expect(second.json).toEqual(first.json);
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("a corrupt blob is rejected and replaced; the output is the same", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const dir = join(home, ".cache/nixi");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, blobName());
    const garbage = Buffer.alloc(300_000, 0x5a);
    writeBlob(file, new Map([["main.js", garbage]]));
    const r = await fwList(home);
    expect(r.json.ok).toBe(true);
    const blob = readBlob(file, process.getuid!())!;
    const main = blob.index["main.js"];
    expect(blob.data.subarray(main[0], main[0] + main[1]).equals(garbage)).toBe(false);
  });

  it("a blob of another build is removed when this build's is written", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const dir = join(home, ".cache/nixi");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeBlob(join(dir, `0123456789abcdef0123456789abcdef-${process.version}-${process.arch}.cache`), new Map([["main.js", Buffer.from("x")]]));
    await fwList(home);
    expect(readdirSync(dir)).toEqual([blobName()]);
  });

  it("a folder others can write to is neither read nor written", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const dir = join(home, ".cache/nixi");
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const file = join(dir, blobName());
    writeBlob(file, new Map([["main.js", Buffer.from("planted")]]));
    expect(readBlob(file, process.getuid!())).toBeNull();
    const before = readFileSync(file);
    expect((await fwList(home)).json.ok).toBe(true);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("a blob owned by someone else, or writable by others, is ignored", () => {
    const dir = join(tempDir(), "nixi");
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, "x.cache");
    writeBlob(file, new Map([["main.js", Buffer.from("abc")]]));
    expect(readBlob(file, process.getuid!())?.index).toEqual({ "main.js": [0, 3] });
    expect(readBlob(file, process.getuid!() + 1)).toBeNull();
    chmodSync(file, 0o622);
    expect(readBlob(file, process.getuid!())).toBeNull();
    chmodSync(file, 0o600);
    writeFileSync(file, "nixi-cc1\x05\x00\x00\x00{bad}");
    chmodSync(file, 0o600);
    expect(readBlob(file, process.getuid!())).toBeNull();
  });

  it("NIXI_COMPILE_CACHE=0 writes nothing; the folder follows XDG_CACHE_HOME, then HOME", async () => {
    const home = tempDir();
    await fwList(home, { NIXI_COMPILE_CACHE: "0" });
    expect(existsSync(join(home, ".cache"))).toBe(false);
    expect(cacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/h" })).toBe("/x/cache/nixi");
    expect(cacheDir({ XDG_CACHE_HOME: "relative", HOME: "/h" })).toBe("/h/.cache/nixi");
    expect(cacheDir({})).toBeNull();
  });
});
