// Shared set-up for the system/pkg/channel/service/timer tests: a fake root and the fakes on PATH.
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, existsSync, symlinkSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
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
export function makeEnv(opts: { flake?: boolean; meminfo?: string; extraEnv?: Record<string, string>; path?: string[] } = {}): Env {
  const root = mkdtempSync(join(tmpdir(), "nixi-sys-"));
  const state = join(root, "..", root.split("/").pop() + "-fakestate");
  mkdirSync(state, { recursive: true });
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
        env: { NIXI_FAKE_LOG: log, NIXI_FAKE_STATE: state, ...opts.extraEnv, ...o.env },
      }),
    calls() {
      const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
      const out = lines.slice(seen);
      seen = lines.length;
      return out;
    },
  };
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

export { existsSync, readFileSync, symlinkSync, mkdirSync, writeFileSync, copyFileSync, join };
