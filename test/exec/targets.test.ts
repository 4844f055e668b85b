// Which nodes a command runs on: --node, --all-nodes, --tag against the inventory.
import { describe, expect, it } from "vitest";
import { resolveTargets } from "../../src/exec/targets.js";
import { configFromToml } from "../../src/core/config.js";
import type { GlobalFlags } from "../../src/core/context.js";
import { run } from "../helpers/run.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempDir } from "../helpers/tree.js";

const config = configFromToml("/x/config.toml", {
  nodes: [
    { name: "web1", host: "127.0.0.1", tags: ["web", "eu"] },
    { name: "web2", host: "127.0.0.1", tags: ["web"] },
    { name: "db1", host: "127.0.0.1", tags: ["db", "eu"] },
    { name: "mon", host: "127.0.0.1", mode: "monitored" },
  ],
}, {});
const flags = (f: Partial<GlobalFlags>): GlobalFlags => ({ json: false, yes: false, dryRun: false, noRebuild: false, noInput: true, noColor: true, quiet: false, verbose: false, root: "/", nodes: [], allNodes: false, tags: [], force: false, insecure: false, ...f });

describe("resolveTargets", () => {
  it("defaults to the controller", () => expect(resolveTargets(config, flags({}))).toEqual(["local"]));
  it("--node lists nodes, once each", () => expect(resolveTargets(config, flags({ nodes: ["web1", "db1", "web1"] }))).toEqual(["web1", "db1"]));
  it("--all-nodes is the controller and every node", () => expect(resolveTargets(config, flags({ allNodes: true }))).toEqual(["local", "web1", "web2", "db1", "mon"]));
  it("--tag picks nodes with any of the tags, added to --node", () => {
    expect(resolveTargets(config, flags({ tags: ["web"] }))).toEqual(["web1", "web2"]);
    expect(resolveTargets(config, flags({ tags: ["eu", "db"] }))).toEqual(["web1", "db1"]);
    expect(resolveTargets(config, flags({ tags: ["db"], nodes: ["mon"] }))).toEqual(["mon", "db1"]);
  });
  it("an unknown tag or node is a usage error naming it", () => {
    expect(() => resolveTargets(config, flags({ tags: ["nope"] }))).toThrow(/"nope"/);
    expect(() => resolveTargets(config, flags({ nodes: ["ghost"] }))).toThrow(/"ghost"/);
  });
});

describe("--tag on the command line", () => {
  it("is validated and reaches the inventory", async () => {
    const dir = tempDir("nixi-tag-");
    writeFileSync(join(dir, "config.toml"), '[[nodes]]\nname = "web1"\nhost = "127.0.0.1"\ntags = ["web"]\n');
    const bad = await run(["fw", "list", "--tag", "a b", "--json", "--config", join(dir, "config.toml")]);
    expect(bad.exitCode).toBe(2);
    expect(expectEnvelope(bad.json).error.message).toContain('"a b"');
    const none = await run(["fw", "list", "--tag", "db", "--json", "--config", join(dir, "config.toml")]);
    expect(none.exitCode).toBe(2);
    expect(none.json.error.message).toContain('"db"');
  });
});
