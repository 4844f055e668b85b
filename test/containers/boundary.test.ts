// The /srv/<name>/ data boundary through the real CLI: hostile volume specs are refused with exit 4
// (PATH_OUTSIDE_SRV) and the machine tree (files, modes, symlinks) is byte-for-byte unchanged.
import { beforeAll, describe, expect, test } from "vitest";
import { mkdtemp, mkdir, symlink, writeFile, readdir, lstat, readlink, readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../helpers/run.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

async function treeHash(dir: string): Promise<string> {
  const h = createHash("sha256");
  const walk = async (d: string, rel: string) => {
    for (const e of (await readdir(d)).sort()) {
      const p = join(d, e);
      const st = await lstat(p);
      h.update(`${rel}/${e}\0${st.mode}\0`);
      if (st.isSymbolicLink()) h.update("L" + (await readlink(p)));
      else if (st.isDirectory()) await walk(p, `${rel}/${e}`);
      else h.update(await readFile(p));
    }
  };
  await walk(dir, "");
  return h.digest("hex");
}

let root: string;

beforeAll(async () => {
  root = initialisedRoot("nixi-ct-boundary-");
  // an existing declared container with data, so a refused change would have something to change
  const r = await run(`container deploy web --image nginx:1.27 --volume data:/data --yes --no-rebuild --backend podman --root ${root}`);
  expect(r.exitCode, r.stderr).toBe(0);
  const web = join(root, "srv/web");
  await mkdir(join(web, "real"), { recursive: true });
  await mkdir(join(root, "srv/other"), { recursive: true });
  await mkdir(join(web, "deep"), { recursive: true });
  await mkdir(join(root, "etc/secret"), { recursive: true });
  await symlink("/etc", join(web, "escape")); // absolute, out
  await symlink("../../etc", join(web, "rel")); // relative, out
  await symlink("/nonexistent/target", join(web, "dangling"));
  await symlink("../../other", join(web, "deep/link")); // to /srv/other: still outside /srv/web
  await symlink("./real", join(web, "inner")); // stays inside: allowed
  await symlink("/srv/web/real", join(web, "inner-abs")); // absolute but inside: allowed
  await writeFile(join(web, "file.txt"), "x");
  await symlink("/etc", join(root, "srv/evil")); // the container folder itself is a symlink
});

const HOSTILE: Array<[string, string, string]> = [
  ["parent traversal", "web", "../etc:/x"],
  ["absolute host path", "web", "/etc/passwd:/x"],
  ["absolute path inside /srv", "web", "/srv/web/data:/x"],
  ["symlink inside pointing to /etc", "web", "escape:/x"],
  ["below a symlink pointing out", "web", "escape/ssh:/x"],
  ["relative symlink pointing out", "web", "rel:/x"],
  ["dangling symlink", "web", "dangling:/x"],
  ["nested symlink into another container's folder", "web", "deep/link:/x"],
  ["percent-encoded traversal", "web", "..%2f..%2fetc:/x"],
  ["percent-encoded dots", "web", "%2e%2e/etc:/x"],
  ["empty host side", "web", ":/x"],
  ["empty spec", "web", ""],
  ["very long host side", "web", "a".repeat(5000) + ":/x"],
  ["traversal in the middle", "web", "data/../../etc:/x"],
  ["dot-slash traversal", "web", "./../etc:/x"],
  ["home directory", "web", "~/x:/x"],
  ["other user's home", "web", "~root:/x"],
  ["NUL byte", "web", "data\0/../../etc:/x"],
  ["newline", "web", "data\n/etc:/x"],
  ["the whole /srv/<name>", "web", ".:/x"],
  ["dot segment", "web", "data/./x:/x"],
  ["backslash traversal", "web", "data\\..\\..\\etc:/x"],
  ["an existing file, not a folder", "web", "file.txt:/x"],
  ["empty segment", "web", "data//x:/x"],
  ["leading space", "web", " ../etc:/x"],
  ["option-looking name", "web", "-rf:/x"],
  ["symlink then traversal", "web", "inner/../../etc:/x"],
  ["/srv/<name> itself is a symlink to /etc", "evil", "data:/x"],
  ["unicode dots", "web", "\u2024\u2024/etc:/x"],
  ["double-encoded", "web", "%252e%252e/etc:/x"],
];

describe("hostile volume specs", () => {
  test("there are at least 20 of them", () => expect(HOSTILE.length).toBeGreaterThanOrEqual(20));

  test.each(HOSTILE)("%s: refused with exit 4, nothing changed", async (_what, name, spec) => {
    const before = await treeHash(root);
    const r = await run(["container", "deploy", name, "--image", "nginx:1.27", "--volume", spec, "--yes", "--no-rebuild", "--json", "--root", root]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(4);
    expect(r.json.ok).toBe(false);
    expect(r.json.error.code).toBe("PATH_OUTSIDE_SRV");
    expect(await treeHash(root)).toBe(before);
  });

  test.each(HOSTILE.slice(0, 8))("update --volume %s: refused with exit 4 too", async (_what, name, spec) => {
    const before = await treeHash(root);
    const r = await run(["container", "update", name, "--volume", spec, "--yes", "--no-rebuild", "--root", root]);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/refused/);
    expect(await treeHash(root)).toBe(before);
  });

  test("a symlink that appeared under an already declared volume is caught on the next change", async () => {
    const r0 = await run(`container deploy cache --image redis:7 --volume store:/data --yes --no-rebuild --root ${root}`);
    expect(r0.exitCode, r0.stderr).toBe(0);
    const { rm } = await import("node:fs/promises");
    await rm(join(root, "srv/cache/store"), { recursive: true });
    await symlink("/etc", join(root, "srv/cache/store"));
    const before = await treeHash(root);
    const r = await run(`container update cache --env A=1 --yes --no-rebuild --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(await treeHash(root)).toBe(before);
    await rm(join(root, "srv/cache/store"));
    await mkdir(join(root, "srv/cache/store"));
  });

  test("symlinks that stay inside /srv/<name>/ are fine", async () => {
    for (const spec of ["inner:/x", "inner-abs:/x", "real/sub:/y:ro"]) {
      const r = await run(["container", "deploy", "web", "--image", "nginx:1.27", "--volume", spec, "--dry-run", "--root", root]);
      expect(r.exitCode, spec + r.stderr).toBe(0);
    }
  });

  test("a bad container side is a usage error (exit 2)", async () => {
    for (const spec of ["data", "data:relative/path", "data:/x:rw,exec"]) {
      const r = await run(["container", "deploy", "web", "--image", "nginx:1.27", "--volume", spec, "--yes", "--no-rebuild", "--root", root]);
      expect(r.exitCode, spec).toBe(2);
    }
  });
});
