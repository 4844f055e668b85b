// The SSH executor's command lines go to the node user's login shell; docs/nodes.md allows zsh.
// zsh in its native mode (not sh emulation) must split them back byte for byte too.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shJoin } from "../../src/exec/quote.js";
import { SshExecutor } from "../../src/exec/ssh.js";
import { needProgram } from "../helpers/require.js";

const ZSH = needProgram("zsh") ? ["/usr/bin/zsh", "/bin/zsh"].find((p) => existsSync(p)) : undefined;

const WORDS = [
  "plain", "=ls", "~root", "a~b", "%1", "^x", "#x", "a#b", "x*", "[a]", "{a,b}", "a=b", "$(id)", "`id`", "$HOME", "${HOME}",
  "!!", "!x", "a;b", "a|b", "a&b", "a\nb", "'", "''", "\\", "\\'", '"', " ", "", "-rf", "--root", "..", "ü€", "\t", "a b c",
  "=", "==", "<(x)", ">(x)", "=(x)", "*(N)", "x(:h)", "-", "--", "@", "+x", ":", ",", "%", "a%b",
];

describe.skipIf(!ZSH)("zsh splits nixi's remote command lines back exactly", () => {
  it("every hostile word survives printf through zsh -c", () => {
    for (const w of WORDS) {
      const line = shJoin(["printf", "%s\\0", w, "end"]);
      const out = execFileSync(ZSH!, ["-f", "-c", line], { encoding: "utf8", env: { PATH: process.env.PATH } });
      expect(out.split("\0"), JSON.stringify(w)).toEqual([w, "end", ""]);
    }
  });

  it("sudo wrapping and cd keep the words intact (command line as the node's shell sees it)", () => {
    const ex = new SshExecutor({ name: "n", host: "127.0.0.1", user: "nixi", port: 22 }, { knownHosts: "/dev/null", connectTimeoutMs: 1, commandTimeoutMs: 0, env: {} });
    const dir = mkdtempSync(join(tmpdir(), "nixi sec'q-"));
    try {
      const line = ex.commandLine(["printf", "%s\\0", "$(id)", "a'b", "-rf"], { privileged: true, cwd: dir });
      expect(line).toBe(`cd '${dir.replace(/'/g, "'\\''")}' && sudo -n printf '%s\\0' '$(id)' 'a'\\''b' -rf`);
      // run it through zsh with sudo replaced by a function that drops "-n"; pwd proves the cd
      const out = execFileSync(ZSH!, ["-f", "-c", `sudo() { shift; "$@"; pwd; }; ${line}`], { encoding: "utf8" });
      expect(out).toBe(["$(id)", "a'b", "-rf", ""].join("\0") + dir + "\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
