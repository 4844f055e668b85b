// `nixi file` through the built CLI against a fake root: the /srv/<name>/ boundary (the hostile
// volume corpus: '..', symlinks out, dangling links, /srv itself, /srv/.credentials, look-alike
// Unicode), reading with redaction and limits, atomic writes with a diff in the plan, deletes.
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, runBin, scriptedPrompter } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";

afterAll(cleanupRoots);
const env = { NIXI_ROOT_EXEC: "1" };

/** A machine with /srv/web (data), /srv/db, /srv/.credentials and hostile links inside /srv/web. */
function machine(): string {
  const root = makeRoot({
    "srv/web/config/nginx.conf": "server { listen 80; }\n",
    "srv/web/config/app.env": "MODE=prod\nDB_PASSWORD=hunter2hunter2\n",
    "srv/web/data/blob.bin": "",
    "srv/db/data/pg.conf": "port = 5432\n",
    "srv/.credentials/web.env": "TOKEN=s3cr3t\n",
    "etc/shadow": "root:$6$secret:19000::::::\n",
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
  });
  writeFileSync(join(root, "srv/web/data/blob.bin"), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0]));
  symlinkSync("/etc", join(root, "srv/web/etc-link")); // absolute: resolves to the machine's /etc
  symlinkSync("../../../etc/shadow", join(root, "srv/web/config/shadow-link"));
  symlinkSync("../../db/data", join(root, "srv/web/db-data")); // into another container's folder
  symlinkSync("/srv/web/nowhere", join(root, "srv/web/dangling"));
  symlinkSync("nginx.conf", join(root, "srv/web/config/current.conf")); // inside: fine
  mkdirSync(join(root, "srv/evil"));
  return root;
}

const HOSTILE = [
  "..",
  "../etc/shadow",
  "web/../db/data/pg.conf",
  "web/config/../../db/data/pg.conf",
  "/etc/shadow",
  "/srv",
  "/srv/",
  "/srvx/web/config/nginx.conf",
  "/srv/.credentials/web.env",
  ".credentials/web.env",
  "/srv/.credentials",
  "web//config/nginx.conf",
  "web/./config/nginx.conf",
  "web/etc-link/shadow",
  "web/db-data/pg.conf",
  "web/dangling/x",
  "web\\..\\db",
  "web/config/nginx\n.conf",
  "web/\u2024\u2024/db/data/pg.conf", // one-dot leaders
  "w\u0435b/config/nginx.conf", // Cyrillic e
  "web\uff0fconfig", // fullwidth solidus
  "web/config/\u202enoc.xnign", // right-to-left override
  "Web/config/nginx.conf",
  "~/x",
];

describe("the /srv/<name>/ boundary", () => {
  it.each(HOSTILE)("refuses %j for list, read, write and delete (exit 4, nothing changed)", async (path) => {
    const root = machine();
    const before = treeHash(root);
    for (const argv of [["file", "list", path], ["file", "read", path], ["file", "write", path, "--yes"], ["file", "delete", path, "--yes", "--recursive"]]) {
      const r = await runBin(["--json", "--root", root, ...argv], { env, stdin: "x\n" });
      expect(r.exitCode, `${argv.join(" ")}: ${r.stdout}`).toBe(4);
      expect(expectEnvelope(r.json).error.code).toBe("PATH_OUTSIDE_SRV");
      expect(r.stdout).not.toContain("hunter2");
      expect(r.stdout).not.toContain("$6$secret");
    }
    expect(treeHash(root)).toBe(before);
  });

  // (argv cannot carry NUL: the lexical check is tested directly)
  it("a NUL byte or other control character in a path is refused by the lexical check", async () => {
    const { parseSrvPath } = await import("../../src/files/boundary.js");
    expect(() => parseSrvPath("web/config/nginx.conf\u0000")).toThrow(/control characters/);
    expect(() => parseSrvPath("web/\u001b[2Jx")).toThrow(/control characters/);
  });

  it("a symlink leading out, or dangling, as the last part: read, list and write refused; delete removes only the link", async () => {
    for (const path of ["web/config/shadow-link", "web/dangling"]) {
      const root = machine();
      const before = treeHash(root);
      for (const argv of [["file", "list", path], ["file", "read", path], ["file", "write", path, "--yes"]]) {
        const r = await runBin(["--json", "--root", root, ...argv], { env, stdin: "x\n" });
        expect(r.exitCode, `${argv.join(" ")}: ${r.stdout}`).toBe(4);
      }
      expect(treeHash(root)).toBe(before);
      const d = await runBin(["--json", "--root", root, "file", "delete", path, "--yes"], { env });
      expect(d.exitCode, d.stdout).toBe(0);
      expect(d.json.data.type).toBe("symlink");
      expect(existsSync(join(root, "srv", path))).toBe(false);
      expect(readFileSync(join(root, "etc/shadow"), "utf8")).toContain("$6$secret");
    }
  });

  it("/srv/<name> itself a symlink to another folder is refused", async () => {
    const root = machine();
    symlinkSync("db", join(root, "srv/alias"));
    const r = await runBin(["--json", "--root", root, "file", "read", "alias/data/pg.conf"], { env });
    expect(r.exitCode).toBe(4);
    expect(r.json.error.message).toMatch(/\/srv\/alias resolves to \/srv\/db/);
  });
});

describe("file list / read", () => {
  it("lists a folder with types, sizes and modes", async () => {
    const root = machine();
    const r = await runBin(["--json", "--root", root, "file", "list", "/srv/web/config"], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    const d = expectEnvelope(r.json).data;
    expect(d.path).toBe("/srv/web/config");
    expect(d.entries.map((e: any) => [e.name, e.type])).toEqual([["app.env", "file"], ["current.conf", "symlink"], ["nginx.conf", "file"], ["shadow-link", "symlink"]]);
    expect(d.entries.find((e: any) => e.name === "nginx.conf").size).toBe(22);
    const human = await runBin(["--root", root, "file", "list", "web"], { env });
    expect(human.stdout).toMatch(/dir\s+\d+\s+\S+\s+config\//);
  });

  it("reads text with secret values masked; a symlink inside the folder is followed", async () => {
    const root = machine();
    const r = await runBin(["--root", root, "file", "read", "web/config/app.env"], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("MODE=prod");
    expect(r.stdout).not.toContain("hunter2hunter2");
    expect(r.stdout).toMatch(/DB_PASSWORD=\*\*\*/);
    const j = await runBin(["--json", "--root", root, "file", "read", "web/config/current.conf"], { env });
    expect(expectEnvelope(j.json).data).toEqual({ path: "/srv/web/config/current.conf", size: 22, encoding: "utf8", content: "server { listen 80; }\n" });
  });

  it("refuses binary files unless --raw (base64), folders, missing files and files over --max-bytes", async () => {
    const root = machine();
    const bin = await runBin(["--json", "--root", root, "file", "read", "web/data/blob.bin"], { env });
    expect(bin.exitCode).toBe(2);
    expect(bin.json.error.message).toBe("/srv/web/data/blob.bin is a binary file");
    const raw = await runBin(["--json", "--root", root, "file", "read", "web/data/blob.bin", "--raw"], { env });
    expect(raw.exitCode, raw.stderr).toBe(0);
    expect(Buffer.from(raw.json.data.content, "base64")).toEqual(Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0]));
    expect(raw.json.data.encoding).toBe("base64");
    expect((await runBin(["--json", "--root", root, "file", "read", "web/config"], { env })).json.error.message).toMatch(/is a folder/);
    const missing = await runBin(["--json", "--root", root, "file", "read", "web/config/nope"], { env });
    expect([missing.exitCode, missing.json.error.code]).toEqual([1, "NOT_FOUND"]);
    const big = await runBin(["--json", "--root", root, "file", "read", "web/config/nginx.conf", "--max-bytes", "10"], { env });
    expect(big.exitCode).toBe(2);
    expect(big.json.error.message).toBe("/srv/web/config/nginx.conf is 22 bytes, more than --max-bytes 10");
    const badMax = await runBin(["--json", "--root", root, "file", "read", "web/config/nginx.conf", "--max-bytes", "0"], { env });
    expect(badMax.exitCode).toBe(2);
  });
});

describe("file write", () => {
  it("--dry-run shows a unified diff; without --yes off a terminal exit 3; nothing changed", async () => {
    const root = machine();
    const before = treeHash(root);
    const dry = await runBin(["--json", "--root", root, "file", "write", "web/config/nginx.conf", "--dry-run"], { env, stdin: "server { listen 8080; }\n" });
    expect(dry.exitCode, dry.stderr).toBe(0);
    const env1 = expectEnvelope(dry.json);
    expect(env1.dryRun).toBe(true);
    expect(env1.plan.files[0]).toMatchObject({ path: "/srv/web/config/nginx.conf", action: "modify" });
    expect(env1.plan.files[0].diff).toContain("-server { listen 80; }");
    expect(env1.plan.files[0].diff).toContain("+server { listen 8080; }");
    const no = await runBin(["--root", root, "file", "write", "web/config/nginx.conf"], { env, stdin: "changed\n" });
    expect(no.exitCode).toBe(3);
    expect(treeHash(root)).toBe(before);
  });

  it("writes atomically, keeps an existing file's mode, creates parents 0750 and new files 0640", async () => {
    const root = machine();
    chmodSync(join(root, "srv/web/config/nginx.conf"), 0o600);
    const r = await runBin(["--json", "--root", root, "file", "write", "/srv/web/config/nginx.conf", "--yes"], { env, stdin: "server { listen 8080; }\n" });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json)).toMatchObject({ changed: true, data: { path: "/srv/web/config/nginx.conf", written: true, created: false, mode: "0600" } });
    expect(readFileSync(join(root, "srv/web/config/nginx.conf"), "utf8")).toBe("server { listen 8080; }\n");
    expect(lstatSync(join(root, "srv/web/config/nginx.conf")).mode & 0o777).toBe(0o600);
    // no temporary file left behind
    expect(readdirSync(join(root, "srv/web/config")).sort()).toEqual(["app.env", "current.conf", "nginx.conf", "shadow-link"]);

    const src = join(root, "..", `nixi-file-src-${process.pid}.txt`);
    writeFileSync(src, "a = 1\n");
    try {
      const n = await runBin(["--json", "--root", root, "file", "write", "web/new/deep/app.toml", "--from", src, "--yes"], { env });
      expect(n.exitCode, n.stderr).toBe(0);
      expect(n.json.data).toMatchObject({ created: true, mode: "0640", owner: "root", folders: ["/srv/web/new", "/srv/web/new/deep"] });
    } finally {
      (await import("node:fs")).rmSync(src, { force: true });
    }
    expect(lstatSync(join(root, "srv/web/new")).mode & 0o777).toBe(0o750);
    expect(lstatSync(join(root, "srv/web/new/deep/app.toml")).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(root, "srv/web/new/deep/app.toml"), "utf8")).toBe("a = 1\n");

    // the same content again: nothing to change
    const same = await runBin(["--json", "--root", root, "file", "write", "web/new/deep/app.toml", "--yes"], { env, stdin: "a = 1\n" });
    expect(same.json.changed).toBe(false);
  });

  it("refuses binary content, a folder as target, and writing through a symlink that leads out", async () => {
    const root = machine();
    const before = treeHash(root);
    const b = await runBin(["--json", "--root", root, "file", "write", "web/x.bin", "--yes"], { env, stdin: "a\u0000b" });
    expect(b.exitCode).toBe(2);
    expect(b.json.error.message).toMatch(/binary/);
    expect((await runBin(["--json", "--root", root, "file", "write", "web/config", "--yes"], { env, stdin: "x" })).json.error.message).toMatch(/is a folder/);
    expect((await runBin(["--json", "--root", root, "file", "write", "web/etc-link/passwd", "--yes"], { env, stdin: "x" })).exitCode).toBe(4);
    expect(treeHash(root)).toBe(before);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toContain("root:x:0:0");
  });
});

describe("file delete", () => {
  it("a file with --yes; a folder needs --recursive; a symlink is deleted, not its target", async () => {
    const root = machine();
    const f = await runBin(["--json", "--root", root, "file", "delete", "web/config/app.env", "--yes"], { env });
    expect(f.exitCode, f.stderr).toBe(0);
    expect(f.json.data).toMatchObject({ deleted: true, type: "file" });
    expect(existsSync(join(root, "srv/web/config/app.env"))).toBe(false);
    const noR = await runBin(["--json", "--root", root, "file", "delete", "web/config", "--yes"], { env });
    expect(noR.exitCode).toBe(2);
    expect(noR.json.error.hint).toMatch(/--recursive/);
    const link = await runBin(["--json", "--root", root, "file", "delete", "web/config/current.conf", "--yes"], { env });
    expect(link.exitCode).toBe(0);
    expect(link.json.data.type).toBe("symlink");
    expect(existsSync(join(root, "srv/web/config/nginx.conf"))).toBe(true);
    const dir = await runBin(["--json", "--root", root, "file", "delete", "web/config", "--recursive", "--yes"], { env });
    expect(dir.exitCode, dir.stderr).toBe(0);
    expect(dir.json.data).toMatchObject({ deleted: true, type: "dir", files: 2, folders: 1 });
    expect(existsSync(join(root, "srv/web/config"))).toBe(false);
    expect(existsSync(join(root, "srv/web/data/blob.bin"))).toBe(true);
    // the container folder itself is not file delete's
    const self = await runBin(["--json", "--root", root, "file", "delete", "web", "--recursive", "--yes"], { env });
    expect(self.exitCode).toBe(4);
    expect(self.json.error.hint).toMatch(/container remove web --purge/);
  });

  it("interactively the name must be typed: a wrong name declines (exit 3), the right one deletes", async () => {
    const root = machine();
    const before = treeHash(root);
    const wrong = await run(["--root", root, "file", "delete", "web/config/nginx.conf"], { env, tty: true, prompter: scriptedPrompter({ input: ["nginx"] }) });
    expect(wrong.exitCode).toBe(3);
    expect(treeHash(root)).toBe(before);
    const p = scriptedPrompter({ input: ["nginx.conf"], confirm: [true] });
    const right = await run(["--root", root, "file", "delete", "web/config/nginx.conf"], { env, tty: true, prompter: p });
    expect(right.exitCode, right.stderr).toBe(0);
    expect(p.asked[0]).toMatch(/Type its name \(nginx\.conf\)/);
    expect(existsSync(join(root, "srv/web/config/nginx.conf"))).toBe(false);
  });
});
