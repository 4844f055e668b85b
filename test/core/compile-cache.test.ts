// The code cache of the built CLI on Node without module.enableCompileCache (src/boot/compile-cache.ts):
// made private (folders 700, files 600) on the first run, read and left alone on the next, ignored when
// it is not this user's alone, survives corrupt data, and off with NIXI_COMPILE_CACHE=0. Runs the
// built bin/nixi; the ownership checks also as a unit (a foreign owner cannot be made without a
// second user).
import { describe, expect, it } from "vitest";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import { REPO, runBin } from "../helpers/run.js";
import { initialisedRoot, tempDir } from "../helpers/tree.js";
import { cacheDir, packBytes, packName, privateDir, readEntry, readPack, writeEntry } from "../../src/boot/compile-cache.js";

const ownCache = typeof (Module as any).enableCompileCache !== "function"; // Node < 22.1
const buildId = () => readFileSync(join(REPO, "dist/build-id"), "utf8").trim();
const folder = () => `${buildId()}-${process.version}-${process.arch}`;

const root = initialisedRoot();
async function fwList(home: string, env: Record<string, string> = {}) {
  const r = await runBin(["--root", root, "fw", "list", "--json"], { env: { HOME: home, XDG_CACHE_HOME: undefined as any, NIXI_ROOT_EXEC: undefined as any, ...env } });
  expect(r.exitCode, r.stderr).toBe(0);
  return r;
}

describe("compile cache of the built CLI", () => {
  it("first run writes a private file per loaded chunk for this build; the next run reads them and writes nothing", async () => {
    const home = tempDir();
    const first = await fwList(home);
    const base = join(home, ".cache/nixi");
    if (!ownCache) {
      // Node's own compile cache is used instead: nixi writes none of its own
      expect(existsSync(join(base, folder()))).toBe(false);
      return;
    }
    const dir = join(base, folder());
    expect(statSync(base).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const names = readdirSync(dir).sort();
    expect(names).toContain("main.js.cache");
    // and the command's pack: every chunk it loaded, read in one go next time
    expect(names).toContain("fw_list.pack");
    const pack = readPack(join(dir, "fw_list.pack"), process.getuid!())!;
    expect([...pack.keys()].sort()).toEqual(names.filter((n) => n.endsWith(".js.cache")).sort());
    for (const n of names) expect([n, statSync(join(dir, n)).mode & 0o777]).toEqual([n, 0o600]);
    const stamp = () => names.map((n) => statSync(join(dir, n))).map((s) => [s.ino, s.mtimeMs]);
    const before = stamp();
    const second = await fwList(home);
    expect(second.json).toEqual(first.json);
    expect(readdirSync(dir).sort()).toEqual(names);
    expect(stamp()).toEqual(before);
  });

  it("a run with other node options (V8 rejects data made under other flags) gets a folder of its own", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    await fwList(home);
    const dir = join(home, ".cache/nixi", folder());
    const stamp = () => readdirSync(dir).map((n) => statSync(join(dir, n)).mtimeMs);
    const before = stamp();
    await fwList(home, { NODE_OPTIONS: "--max-old-space-size=300" });
    const folders = readdirSync(join(home, ".cache/nixi")).sort();
    expect(folders).toHaveLength(2);
    expect(folders.find((f) => f !== folder())).toMatch(new RegExp(`^${folder()}-[0-9a-f]{8}$`));
    expect(stamp()).toEqual(before);
  });

  it("corrupt data is rejected and replaced; the output is the same", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const dir = join(home, ".cache/nixi", folder());
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(join(home, ".cache/nixi"), 0o700);
    const garbage = Buffer.alloc(300_000, 0x5a);
    writeEntry(join(dir, "main.js.cache"), garbage);
    const r = await fwList(home);
    expect(r.json.ok).toBe(true);
    expect(readEntry(join(dir, "main.js.cache"), process.getuid!())!.equals(garbage)).toBe(false);
  });

  it("a corrupt pack is rejected chunk by chunk and written again; the output is the same", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const first = await fwList(home);
    const file = join(home, ".cache/nixi", folder(), "fw_list.pack");
    const good = readPack(file, process.getuid!())!;
    writeEntry(file, packBytes(new Map([...good.keys()].map((n) => [n, Buffer.alloc(2000, 0x33)]))));
    const again = await fwList(home);
    expect(again.json).toEqual(first.json);
    const now = readPack(file, process.getuid!())!;
    expect([...now.keys()].sort()).toEqual([...good.keys()].sort());
    expect(now.get("main.js.cache")!.equals(Buffer.alloc(2000, 0x33))).toBe(false);
  });

  it("a pack is named by the command's first two words; a malformed one is ignored", () => {
    expect(packName(["--root", "/x", "fw", "list", "--json"])).toBe("fw_list.pack");
    expect(packName(["user", "ssh-key", "add", "alice"])).toBe("user_ssh-key.pack");
    expect(packName(["--json"])).toBeNull();
    const dir = join(tempDir(), "nixi");
    mkdirSync(dir, { mode: 0o700 });
    for (const bad of ["nixi-pk1", "nixi-pk1\x50\x00\x00\x00{}", "nixi-pk1\x12\x00\x00\x00{\"a\":[0,99999]}xyz", "other-magic-and-more"]) {
      writeEntry(join(dir, "x.pack"), Buffer.from(bad, "latin1"));
      expect(readPack(join(dir, "x.pack"), process.getuid!()), JSON.stringify(bad)).toBeNull();
    }
    writeEntry(join(dir, "x.pack"), packBytes(new Map([["a.js.cache", Buffer.from("xyz")]])));
    expect(readPack(join(dir, "x.pack"), process.getuid!())?.get("a.js.cache")?.toString()).toBe("xyz");
  });

  it("folders of other builds: the three newest stay, older ones go when this build's is written", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const base = join(home, ".cache/nixi");
    const others = [1, 2, 3, 4, 5].map((n) => join(base, `${String(n).repeat(32)}-${process.version}-${process.arch}`));
    others.forEach((d, i) => {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      writeEntry(join(d, "main.js.cache"), Buffer.from("x"));
      utimesSync(d, 1_000_000 + i * 1000, 1_000_000 + i * 1000); // 5 is the newest
    });
    chmodSync(base, 0o700);
    writeFileSync(join(base, "notes.txt"), "not nixi's: left alone\n");
    await fwList(home);
    const names = (p: string) => p.slice(base.length + 1);
    expect(readdirSync(base).sort()).toEqual([folder(), "notes.txt", ...others.slice(2).map(names)].sort());
  });

  it("a folder others can write to is neither read nor written", async () => {
    if (!ownCache) return expect(ownCache).toBe(false);
    const home = tempDir();
    const dir = join(home, ".cache/nixi", folder());
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(join(home, ".cache/nixi"), 0o777);
    writeEntry(join(dir, "main.js.cache"), Buffer.from("planted"));
    expect(privateDir(join(home, ".cache/nixi"), process.getuid!())).toBe(false);
    expect((await fwList(home)).json.ok).toBe(true);
    expect(readdirSync(dir)).toEqual(["main.js.cache"]);
    expect(readFileSync(join(dir, "main.js.cache"), "utf8")).toBe("planted");
  });

  it("a file owned by someone else, writable by others, or not a regular file is ignored", () => {
    const dir = join(tempDir(), "nixi");
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, "x.cache");
    writeEntry(file, Buffer.from("abc"));
    expect(readEntry(file, process.getuid!())?.toString()).toBe("abc");
    expect(readEntry(file, process.getuid!() + 1)).toBeNull();
    expect(privateDir(dir, process.getuid!() + 1)).toBe(false);
    chmodSync(file, 0o622);
    expect(readEntry(file, process.getuid!())).toBeNull();
    mkdirSync(join(dir, "d.cache"), { mode: 0o700 });
    expect(readEntry(join(dir, "d.cache"), process.getuid!())).toBeNull();
    expect(readEntry(join(dir, "missing.cache"), process.getuid!())).toBeNull();
  });

  it("a HOME that is not this user's (sudo keeping the caller's HOME) gets no cache folder", async () => {
    const home = tempDir();
    chmodSync(home, 0o755);
    chownSync(home, 65534, 65534);
    await fwList(home);
    expect(readdirSync(home)).toEqual([]);
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
