// `--root "$DIR"` with an empty DIR must be a usage error, not the real machine.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));

describe("--root", () => {
  it.each(["''", "' '"])("--root %s is exit 2 and runs nothing", async (v) => {
    const r = await run(`fw open 8080 --yes --json --root ${v}`, { path: [FAKES], env: { NIXI_FAKE_LOG: "/dev/null" } });
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/--root/);
  });
});
