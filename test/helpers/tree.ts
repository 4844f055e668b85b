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

/** What `nixi init` leaves: a configuration.nix importing nixi's folder (a rebuild refuses without it). */
export const INITIALISED_CONFIGURATION = "{ ... }: {\n  imports = [ ./nixi ];\n}\n";

/** A temporary folder where `nixi init` has run (configuration.nix imports ./nixi), removed with the roots. */
export function initialisedRoot(prefix = "nixi-root-"): string {
  const d = tempDir(prefix);
  mkdirSync(join(d, "etc/nixos"), { recursive: true });
  writeFileSync(join(d, "etc/nixos/configuration.nix"), INITIALISED_CONFIGURATION);
  return d;
}

/** A temporary machine root with the given files (machine path -> content). Unless `bare` or the
 *  files name a configuration.nix or flake.nix, it has INITIALISED_CONFIGURATION. */
export function makeRoot(files: Record<string, string> = {}, opts: { bare?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "nixi-root-"));
  made.push(root);
  if (!opts.bare && !Object.keys(files).some((p) => /^\/?etc\/nixos\/(configuration|flake)\.nix$/.test(p))) {
    files = { "/etc/nixos/configuration.nix": INITIALISED_CONFIGURATION, ...files };
  }
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
