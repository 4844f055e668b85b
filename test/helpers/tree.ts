// Fake machine roots for --root, and a hash of a whole tree to prove "nothing changed".
import { afterAll } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";

const made: string[] = [];
// Every test file that makes roots or temp folders here removes them when it ends.
afterAll(() => cleanupRoots());

/** A temporary folder (logs, config files) removed with the roots. */
export function tempDir(prefix = "nixi-tmp-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A temporary machine root with the given files (machine path -> content). */
export function makeRoot(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "nixi-root-"));
  made.push(root);
  for (const [p, content] of Object.entries(files)) {
    const full = join(root, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

export function cleanupRoots(): void {
  for (const r of made.splice(0)) rmSync(r, { recursive: true, force: true });
}

/** Every path, type, mode and content under dir, hashed; names in `skip` are left out. */
export function treeHash(dir: string, skip: string[] = []): string {
  const h = createHash("sha256");
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      if (skip.includes(name)) continue;
      const full = join(d, name);
      const st = lstatSync(full);
      h.update(`${rel}/${name}\0${st.mode}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(full));
      else if (st.isDirectory()) walk(full, `${rel}/${name}`);
      else h.update(readFileSync(full));
      h.update("\0");
    }
  };
  walk(dir, "");
  return h.digest("hex");
}

export const read = (root: string, machinePath: string) => readFileSync(join(root, machinePath), "utf8");
export const NIXI_DIR = "/etc/nixos/nixi";
