// nixi init: when a write fails half-way, configuration.nix is put back byte for byte AND with its
// mode. A 600 configuration.nix (it can hold secrets) must not come back world-readable.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, statSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { LocalExecutor } from "../../src/exec/local.js";
import { makeCtx } from "../../src/core/runner.js";
import { configFromToml } from "../../src/core/config.js";
import { COMMANDS } from "../../src/commands/registry.js";
import type { Executor } from "../../src/core/executor.js";
import { tempDir } from "../helpers/tree.js";

describe("init restores configuration.nix with its mode", () => {
  it("a failing later write leaves configuration.nix exactly as it was, still 600", async () => {
    const root = tempDir("nixi-sec-");
    mkdirSync(join(root, "etc/nixos"), { recursive: true });
    const conf = join(root, "etc/nixos/configuration.nix");
    const original = '{ config, pkgs, ... }:\n{\n  services.foo.password = "in-configuration-nix";\n}\n';
    writeFileSync(conf, original);
    chmodSync(conf, 0o600);

    const local = new LocalExecutor({ root, env: process.env });
    // the executor fails the write of state.toml, after configuration.nix was already rewritten
    const exec = new Proxy(local, {
      get(target, prop, receiver) {
        if (prop === "writeFile") {
          return async (path: string, content: string, opts?: any) => {
            if (path.endsWith("/state.toml")) throw new Error("disk full (test)");
            return target.writeFile(path, content, opts);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as Executor;

    const spec = COMMANDS.find((c) => c.path.join(" ") === "init")!;
    const flags = { json: true, yes: true, dryRun: false, noRebuild: false, noInput: true, noColor: true, quiet: true, verbose: false, root, nodes: [], allNodes: false, tags: [], force: false };
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false };
    const ctx = makeCtx({ spec, input: {}, flags, io, env: process.env } as any, configFromToml("/nonexistent/config.toml", {}, process.env), exec, "local", []);
    const plan = await spec.plan!(ctx, {});
    await expect(spec.apply!(ctx, {}, plan)).rejects.toThrow(/disk full/);
    expect(readFileSync(conf, "utf8")).toBe(original);
    expect(statSync(conf).mode & 0o777).toBe(0o600);
  });
});
