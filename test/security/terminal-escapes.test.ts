// Text that comes from the machine (container log lines, a program's error output) must not drive the
// person's terminal: ESC ] (title, clipboard), screen clears, cursor moves and \r are shown inert.
// nixi's own colours (SGR) are unaffected.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { inertLine } from "../../src/core/human.js";
import { tempDir } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
const HOSTILE = "\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\x1b[2J\x1b[1;1Hfake prompt\rover";
// no ESC or BEL and no bare CR may reach the terminal
const DRIVES_TERMINAL = /[\x07\x1b\r]/;

function shims(podmanScript: string) {
  const dir = tempDir("nixi-sec-shims-");
  writeFileSync(join(dir, "podman"), podmanScript);
  chmodSync(join(dir, "podman"), 0o755);
  return dir;
}

describe("terminal escapes from the machine are shown inert", () => {
  it("inertLine keeps SGR colour but escapes everything else", () => {
    expect(inertLine("\x1b[32mok\x1b[39m")).toBe("\x1b[32mok\x1b[39m");
    expect(inertLine(HOSTILE)).not.toMatch(DRIVES_TERMINAL);
    expect(inertLine("a\tb\nc")).toBe("a\tb\nc");
  });

  it("container logs (plain and --follow) and a failing runtime's error output", async () => {
    const root = tempDir("nixi-sec-");
    mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/nixi/state.toml"), `[containers]\nbackend = "podman"\n\n[containers.containers.web]\nimage = "nginx:1.27"\n`);
    const hostile = HOSTILE.replace(/\x1b/g, "\\033").replace(/\x07/g, "\\007").replace(/\r/g, "\\r");
    const dir = shims(
      `#!/bin/sh\ncase "$1" in\n  logs) printf '2026-11-21T10:00:00.000000000Z ${hostile}\\n'; exit 0 ;;\n  start|stop|restart) printf 'Error: ${hostile}\\n' >&2; exit 125 ;;\nesac\nexit 0\n`,
    );
    const opts = { path: [dir, FAKES], env: { NIXI_FAKE_LOG: join(dir, "log") } };
    for (const extra of ["", " --follow"]) {
      const r = await run(`container logs web --root ${root}${extra}`, opts);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain("fake prompt");
      expect(r.stdout + r.stderr).not.toMatch(DRIVES_TERMINAL);
    }
    const r = await run(`container restart web --root ${root}`, opts);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("fake prompt");
    expect(r.stderr).not.toMatch(DRIVES_TERMINAL);
  });
});
