// Shared set-up for the system/pkg/channel/service/timer tests: a fake root and the fakes on PATH.
import { rmSync, lutimesSync, mkdtempSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, existsSync, symlinkSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach } from "vitest";
import { run, type RunOptions } from "../helpers/run.js";

export const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
export const FIX = fileURLToPath(new URL("../fixtures/system", import.meta.url));

export interface Env {
  root: string;
  log: string;
  state: string;
  run(cmd: string | string[], opts?: RunOptions): ReturnType<typeof run>;
  /** argv lines the fakes logged since the last call. */
  calls(): string[];
  put(path: string, content: string): void;
}

/** A fake machine root: /proc files from fixtures, /etc/os-release, /etc/nixos/configuration.nix. */
const made: string[] = [];
const live: Env[] = [];
// Every file that uses makeEnv() removes its roots when it ends.
afterAll(() => cleanupEnvs());
// calls() reports what ran since the current test began (or since the last calls() in it), so a
// test never sees another test's calls, whatever order they run in.
beforeEach(() => {
  for (const env of live) env.calls();
});
/** Remove every root and fake-state folder makeEnv() made (call from afterAll). */
export function cleanupEnvs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  live.splice(0);
}

export function makeEnv(opts: { flake?: boolean; meminfo?: string; extraEnv?: Record<string, string>; path?: string[] } = {}): Env {
  const root = mkdtempSync(join(tmpdir(), "nixi-sys-"));
  const state = join(root, "..", root.split("/").pop() + "-fakestate");
  mkdirSync(state, { recursive: true });
  made.push(root, state);
  const log = join(state, "argv.log");
  writeFileSync(log, "");
  const put = (p: string, content: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  };
  put("/etc/os-release", readFileSync(join(FIX, "os-release"), "utf8"));
  put("/etc/hostname", "web1\n");
  put("/proc/meminfo", readFileSync(join(FIX, opts.meminfo ?? "meminfo"), "utf8"));
  put("/proc/loadavg", readFileSync(join(FIX, "loadavg"), "utf8"));
  put("/proc/uptime", readFileSync(join(FIX, "uptime"), "utf8"));
  put("/proc/cpuinfo", readFileSync(join(FIX, "cpuinfo"), "utf8"));
  put("/proc/sys/kernel/osrelease", "6.6.63\n");
  put("/etc/nixos/configuration.nix", "{ ... }: { imports = [ ./nixi ]; }\n");
  if (opts.flake) put("/etc/nixos/flake.nix", "{ outputs = { self, nixpkgs }: { }; }\n");
  let seen = 0;
  const env: Env = {
    root,
    log,
    state,
    put,
    run: (cmd, o = {}) =>
      run(Array.isArray(cmd) ? [...cmd, "--root", root] : `${cmd} --root ${root}`, {
        ...o,
        path: [...(o.path ?? []), ...(opts.path ?? []), FAKES],
        env: { NIXI_FAKE_LOG: log, NIXI_FAKE_STATE: state, NIXI_FAKE_ROOT: root, ...opts.extraEnv, ...o.env },
      }),
    calls() {
      // a test may remove its machine itself before the next test begins
      const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
      const out = lines.slice(seen);
      seen = lines.length;
      return out;
    },
  };
  live.push(env);
  return env;
}

/** Hash of every file under the root (names, contents): "the tree is unchanged". */
export function treeHash(root: string, opts: { skipDotFiles?: boolean } = {}): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (opts.skipDotFiles && name.startsWith(".")) continue;
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false } as any);
      h.update(p.slice(root.length) + "\0");
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile()) h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest("hex");
}

const GEN_DATES: Record<number, string> = { 40: "2026-10-02T21:13:05", 41: "2026-11-14T09:47:30", 42: "2026-11-20T18:02:11" };

/** System profile links and /run/{booted,current}-system as NixOS lays them out (absolute links into /nix/store). */
export function makeProfiles(e: Env, opts: { bootedKernel?: string } = {}): void {
  const gens: Array<[number, string, string]> = [[40, "24.05.20240930.1925c60", "6.6.53"], [41, "24.11.20241109.76612b1", "6.6.60"], [42, "24.11.20241123.5e4fbfb", "6.6.63"]];
  const sys = (n: number) => `/nix/store/${String(n).repeat(16).slice(0, 32)}-nixos-system-web1-${gens.find((g) => g[0] === n)![1]}`;
  const kernel = (v: string) => `/nix/store/${v.replace(/\./g, "").padEnd(32, "k")}-linux-${v}`;
  for (const [n, ver, kv] of gens) {
    e.put(`${sys(n)}/nixos-version`, ver);
    mkdirSync(join(e.root, sys(n), "kernel-modules/lib/modules", kv), { recursive: true });
    e.put(`${kernel(kv)}/bzImage`, "kernel");
    symlinkSync(`${kernel(kv)}/bzImage`, join(e.root, sys(n), "kernel"));
    mkdirSync(join(e.root, "nix/var/nix/profiles"), { recursive: true });
    symlinkSync(sys(n), join(e.root, `nix/var/nix/profiles/system-${n}-link`));
    // the link's time is the generation's date (as in generations.json, taken as UTC)
    const when = new Date(`${GEN_DATES[n]}Z`);
    lutimesSync(join(e.root, `nix/var/nix/profiles/system-${n}-link`), when, when);
  }
  symlinkSync("system-42-link", join(e.root, "nix/var/nix/profiles/system"));
  mkdirSync(join(e.root, "run"), { recursive: true });
  symlinkSync(sys(42), join(e.root, "run/current-system"));
  symlinkSync(opts.bootedKernel === "old" ? sys(41) : sys(42), join(e.root, "run/booted-system"));
}

export { existsSync, readFileSync, symlinkSync, mkdirSync, writeFileSync, copyFileSync, join };
