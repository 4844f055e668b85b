// A secret must stay out of every output even when the rebuild fails and its log prints the value:
// stdout, stderr, --json, .rebuild.log, .failed/, .previous/, state.toml, the .nix files, argv of
// every program. The credentials file is put back byte for byte with its mode.
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync, readFileSync, readdirSync, lstatSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...allFiles(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

describe("secret values when the rebuild fails", () => {
  it("update --env-secret with a failing rebuild that prints the credentials file", async () => {
    const root = initialisedRoot("nixi-sec-");
    const shims = tempDir("nixi-sec-shims-");
    const argvLog = join(shims, "argv.log");
    // podman/git shims log argv; nixos-rebuild prints the credentials file (as a leaky build would) and fails when asked
    for (const prog of ["podman", "git"]) {
      writeFileSync(join(shims, prog), `#!/bin/sh\nprintf '%s\\n' "${prog} $*" >> "${argvLog}"\nexit 0\n`);
      chmodSync(join(shims, prog), 0o755);
    }
    writeFileSync(
      join(shims, "nixos-rebuild"),
      `#!/bin/sh\nprintf '%s\\n' "nixos-rebuild $*" >> "${argvLog}"\ncat "${root}/srv/.credentials/db.env" >&2 2>/dev/null\necho "DB env: $(cat "${root}/srv/.credentials/db.env" | tr '\\n' ' ')"\n[ -e "${shims}/fail" ] && { echo "error: activation failed" >&2; exit 1; }\nexit 0\n`,
    );
    chmodSync(join(shims, "nixos-rebuild"), 0o755);
    const opts = (stdin: string) => ({ stdin, path: [shims, FAKES], env: { NIXI_FAKE_LOG: argvLog } });

    const first = 'old-S3cr3t"with\\quote$and{brace}';
    let r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --backend podman --yes --root ${root}`, opts(first));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(first);
    const creds = join(root, "srv/.credentials/db.env");
    const credsBefore = readFileSync(creds, "utf8");
    expect(credsBefore).toContain(first);

    writeFileSync(join(shims, "fail"), "");
    const second = "new-Secret-ünïcødé-€-42";
    for (const json of ["", " --json"]) {
      r = await run(`container update db --env-secret API_TOKEN --yes -v --root ${root}${json}`, opts(second));
      expect(r.exitCode, r.stdout + r.stderr).toBe(6);
      for (const s of [first, second]) expect(r.stdout + r.stderr).not.toContain(s);
    }
    // the credentials file is back as it was, still 600
    expect(readFileSync(creds, "utf8")).toBe(credsBefore);
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    // nowhere else on the machine, including nixi's bookkeeping and the rebuild log
    const files = allFiles(root).filter((p) => p !== creds);
    const log = files.find((p) => p.endsWith(".rebuild.log"));
    expect(log).toBeDefined();
    // the log is root-only: redaction knows this run's secrets and the usual shapes, not every secret
    expect(statSync(log!).mode & 0o777).toBe(0o600);
    for (const p of files) {
      const text = readFileSync(p, "utf8");
      for (const s of [first, second]) expect(text, p).not.toContain(s);
    }
    // and on no program's command line
    const argv = readFileSync(argvLog, "utf8");
    for (const s of [first, second]) expect(argv).not.toContain(s);
  });
});
