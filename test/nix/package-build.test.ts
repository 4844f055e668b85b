// nix/package.nix's build, run the way buildNpmPackage runs it, without Nix (no nixpkgs package set
// here): only the files of its source set, the lockfile it hands to importNpmLock (with the URLs it
// derives), npm ci offline (the integrity hashes pin every tarball; npm's cache serves them as
// Nix's fetchurl would), its preBuild, `npm run build`, the install of `npm pack`'s file list with
// the dev dependencies pruned, and its postInstall with stand-ins for the two installShellFiles
// functions. The installed nixi must then run from its store-like path with nothing else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nixEnv } from "../helpers/nix.js";
import { REPO } from "../helpers/run.js";
import { NIXPKGS_LIB as LIB } from "../helpers/nixos-tree.js";
import { needProgram } from "../helpers/require.js";

const work = mkdtempSync(join(tmpdir(), "nixi-package-"));
const src = join(work, "source");
const out = join(work, "out");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ok = needProgram("nix-instantiate", "npm");

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 600_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout}`.slice(0, 4000));
  return String(r.stdout);
}

// What package.nix hands to buildNpmPackage (a stand-in that returns its arguments).
function evalPackage(): { sourcePaths: string[]; packageLock: any; npmBuildScript: string; preBuild: string; postInstall: string; mainProgram: string } {
  const expr = `let
    lib = import ${LIB};
    pkg = import ${join(REPO, "nix", "package.nix")} {
      inherit lib; path = /nonexistent; npmRegistry = "https://registry.invalid/";
      buildNpmPackage = a: a;
      importNpmLock = { __functor = _: a: a; npmConfigHook = "npmConfigHook"; };
      nodejs = "nodejs"; installShellFiles = "installShellFiles";
    };
  in { inherit (pkg.passthru) sourcePaths packageLock; inherit (pkg) npmBuildScript preBuild postInstall; inherit (pkg.meta) mainProgram; }`;
  return JSON.parse(sh("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], { env: nixEnv() }));
}

// installShellFiles' two functions, as nixpkgs documents them; anything else they are asked is an error.
const INSTALL_SHELL_FILES = [
  "installShellCompletion() {",
  '  local shell="" name=""',
  '  while [ $# -gt 0 ]; do',
  '    case "$1" in',
  '      --bash|--zsh|--fish) shell="${1#--}"; shift ;;',
  '      --name) name="$2"; shift 2 ;;',
  '      -*) echo "installShellCompletion stand-in: unknown flag $1" >&2; exit 90 ;;',
  "      *) break ;;",
  "    esac",
  "  done",
  '  [ $# -eq 1 ] && [ -n "$shell" ] && [ -n "$name" ] || { echo "installShellCompletion stand-in: want --SHELL --name NAME FILE" >&2; exit 90; }',
  '  case "$shell" in',
  '    bash) dir="$out/share/bash-completion/completions" ;;',
  '    zsh) dir="$out/share/zsh/site-functions" ;;',
  '    fish) dir="$out/share/fish/vendor_completions.d" ;;',
  "  esac",
  '  mkdir -p "$dir" && cp "$1" "$dir/$name"',
  "}",
  "installManPage() {",
  '  for f in "$@"; do',
  '    case "$f" in',
  '      *.[0-9]) s="${f##*.}"; mkdir -p "$out/share/man/man$s" && cp "$f" "$out/share/man/man$s/" ;;',
  '      *) echo "installManPage stand-in: $f has no section suffix" >&2; exit 90 ;;',
  "    esac",
  "  done",
  "}",
].join("\n");

describe.runIf(ok)("nix/package.nix built as buildNpmPackage builds it (offline, without Nix)", () => {
  let pkg: ReturnType<typeof evalPackage>;
  let ciLock: any; // npm's record of what npm ci installed
  const installed = () => join(out, "lib", "node_modules", "nixi");

  beforeAll(() => {
    pkg = evalPackage();
    // the source set, and nothing else (no .git, no tests, no node_modules)
    for (const p of pkg.sourcePaths) cpSync(join(REPO, p), join(src, p), { recursive: true });
    writeFileSync(join(src, "package-lock.json"), JSON.stringify(pkg.packageLock, null, 2));
    const env = { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };
    // npmConfigHook: npm ci without running install scripts
    sh("npm", ["ci", "--ignore-scripts", "--offline"], { cwd: src, env });
    ciLock = JSON.parse(readFileSync(join(src, "node_modules", ".package-lock.json"), "utf8"));
    sh("bash", ["-euc", pkg.preBuild], { cwd: src, env });
    sh("npm", ["run", pkg.npmBuildScript], { cwd: src, env });
    // npmInstallHook: the files `npm pack` would ship, then the production dependencies only
    const files: { path: string }[] = JSON.parse(sh("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: src, env }))[0].files;
    for (const f of files) cpSync(join(src, f.path), join(installed(), f.path));
    sh("npm", ["prune", "--omit=dev", "--ignore-scripts", "--offline"], { cwd: src, env });
    cpSync(join(src, "node_modules"), join(installed(), "node_modules"), { recursive: true });
    mkdirSync(join(out, "bin"), { recursive: true });
    sh("ln", ["-s", "../lib/node_modules/nixi/bin/nixi", join(out, "bin", pkg.mainProgram)]);
    sh("bash", ["-euc", `${INSTALL_SHELL_FILES}\n${pkg.postInstall}`], { cwd: src, env: { ...env, out } });
  }, 900_000);

  it("the lockfile it hands over names a URL for every tarball, and npm took them from it offline", () => {
    const entries = Object.entries<any>(pkg.packageLock.packages).filter(([k, e]) => k !== "" && !e.link);
    expect(entries.length).toBeGreaterThan(50);
    for (const [k, e] of entries) expect(e.resolved, k).toMatch(/^https:\/\/registry\.invalid\/.+\.tgz$/);
    // npm installed exactly that tree (offline: every tarball came from its integrity hash), and built
    const keys = (lock: any) => Object.keys(lock.packages).filter((k) => k !== "").sort();
    // (optional packages for other platforms are left out, as on any install)
    expect(keys(ciLock)).toEqual(keys(pkg.packageLock).filter((k) => ciLock.packages[k] || !pkg.packageLock.packages[k].optional));
    expect(keys(ciLock)).toContain("node_modules/esbuild");
    expect(existsSync(join(src, "dist", "main.js"))).toBe(true);
  });

  it("installs a nixi that runs with the production dependencies alone", () => {
    const bin = join(out, "bin", "nixi");
    const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
    expect(sh(process.execPath, [bin, "--version"]).trim()).toBe(version);
    const deps = readdirSync(join(installed(), "node_modules")).filter((d) => !d.startsWith("."));
    expect(deps).toContain("ssh2");
    for (const dev of ["esbuild", "vitest", "typescript", "zod", "commander"]) expect(deps).not.toContain(dev);
    // a real command through the bundle, from the installed tree
    const root = mkdtempSync(join(work, "root-"));
    mkdirSync(join(root, "etc/nixos"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/configuration.nix"), "{ imports = [ ./nixi ]; }\n");
    const env = { ...process.env, NIXI_CONFIG: "/nonexistent/config.toml", HOME: work, NIXI_ROOT_EXEC: "" };
    sh(process.execPath, [bin, "--root", root, "fw", "open", "8080", "--yes", "--no-rebuild"], { env });
    const list = JSON.parse(sh(process.execPath, [bin, "--root", root, "fw", "list", "--json"], { env }));
    expect(list.data.declared).toEqual([{ proto: "tcp", from: 8080, to: 8080, interface: null }]);
  });

  it("ships completions and man pages where NixOS looks for them, the same as the committed files", () => {
    const share = join(out, "share");
    expect(readFileSync(join(share, "bash-completion/completions/nixi"), "utf8")).toBe(readFileSync(join(REPO, "completions/nixi.bash"), "utf8"));
    expect(readFileSync(join(share, "zsh/site-functions/_nixi"), "utf8")).toBe(readFileSync(join(REPO, "completions/_nixi"), "utf8"));
    expect(readFileSync(join(share, "fish/vendor_completions.d/nixi.fish"), "utf8")).toBe(readFileSync(join(REPO, "completions/nixi.fish"), "utf8"));
    const pages = readdirSync(join(REPO, "man"));
    expect(readdirSync(join(share, "man/man1")).sort()).toEqual(pages.filter((p) => p.endsWith(".1")).sort());
    expect(readdirSync(join(share, "man/man5"))).toEqual(["nixi-config.5"]);
  });

  it("ships no source maps and no sources, and the catalog nixi reads at run time", () => {
    const all = readdirSync(installed(), { recursive: true }).map(String).filter((f) => !f.startsWith("node_modules"));
    expect(all.filter((f) => f.endsWith(".map") || f.endsWith(".ts"))).toEqual([]);
    expect(all).toEqual(expect.arrayContaining(["dist/main.js", "bin/nixi", "LICENSE", "package.json"]));
    expect(all.some((f) => f.startsWith("catalog/"))).toBe(true);
  });
});
