// stdin is read once per process: every node's run of one invocation sees the same piped text.
import { expect, it } from "vitest";
import { Readable, PassThrough } from "node:stream";
import { makeCtx } from "../../src/core/runner.js";
import { configFromToml } from "../../src/core/config.js";

it("two nodes' contexts read the same stdin", async () => {
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([Buffer.from("s3cret\n")]), stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false };
  const inv: any = { spec: { path: ["x"] }, input: {}, flags: { json: false, quiet: true, verbose: false, noInput: true, root: "/" }, io, env: {} };
  const config = configFromToml("/x.toml", {}, {});
  const a = makeCtx(inv, config, null as any, "a", []);
  const b = makeCtx(inv, config, null as any, "b", []);
  expect(await a.readStdin()).toBe("s3cret\n");
  expect(await b.readStdin()).toBe("s3cret\n");
});
