// Issue 9, High 1: a volume whose host folder lies inside another volume of the same container is
// refused (the container could swap it for a symlink to / before the next start), through the built
// CLI and from a hand-edited state.toml; and the generated unit re-checks at start time, with lstat
// semantics, that no folder on the way is a symlink (the script is run here against real folders).
import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { initialisedRoot } from "../helpers/tree.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { runBin } from "../helpers/run.js";
import { evalModule } from "../helpers/nix.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
// a machine root where nixi init has run, removed when the file ends (test/helpers/tree.ts)
const tmp = (p: string) => initialisedRoot(p);
const opts = { path: [FAKES], env: { NIXI_ROOT_EXEC: "1" } };

describe("nested volumes", () => {
  it("update adding data/new next to data is refused with exit 4, nothing changed", async () => {
    const root = tmp("nixi-nest-");
    let r = await runBin(`container deploy web --image nginx:1.27 --volume data:/d --backend podman --yes --root ${root}`, opts);
    expect(r.exitCode, r.stderr).toBe(0);
    const state = join(root, "etc/nixos/nixi/state.toml");
    const before = readFileSync(state, "utf8");
    for (const extra of ["data/new:/x", "./data/new/deeper:/x"]) {
      r = await runBin(`container update web --volume data:/d --volume ${extra} --yes --json --root ${root}`, opts);
      expect(r.exitCode, r.stdout + r.stderr).toBe(4);
      expect(r.json.error.code).toBe("PATH_OUTSIDE_SRV");
      expect(r.json.error.message).toMatch(/inside data/);
    }
    expect(readFileSync(state, "utf8")).toBe(before);
  });

  it("deploy with an outer and an inner volume at once is refused; side-by-side and repeated folders are fine", async () => {
    const root = tmp("nixi-nest-");
    let r = await runBin(`container deploy app --image nginx:1.27 --volume conf/nginx:/etc/nginx --volume conf:/conf --backend podman --yes --root ${root}`, opts);
    expect(r.exitCode, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/conf\/nginx.*inside conf/);
    expect(existsSync(join(root, "etc/nixos/nixi/state.toml"))).toBe(false);
    r = await runBin(`container deploy app --image nginx:1.27 --volume conf:/conf --volume confd:/x --volume conf:/also --backend podman --yes --root ${root}`, opts);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it("a hand-edited state.toml with nested volumes is refused when rendered", async () => {
    const root = tmp("nixi-nest-");
    mkdirSync(join(root, "etc/nixos/nixi"), { recursive: true });
    writeFileSync(join(root, "etc/nixos/configuration.nix"), "{ imports = [ ./nixi ]; }\n");
    writeFileSync(
      join(root, "etc/nixos/nixi/state.toml"),
      `[containers]\nbackend = "podman"\n[containers.containers.web]\nimage = "nginx:1.27"\nvolumes = ["data:/d", "data/new:/x"]\n`,
    );
    const r = await runBin(`fw open 8080 --yes --json --root ${root}`, opts);
    expect(r.exitCode, r.stdout + r.stderr).not.toBe(0);
    expect(r.json.error.message).toMatch(/state\.toml.*data\/new.*inside data/);
  });

  it("the unit's start-time check refuses a folder replaced by a symlink (lstat, from /srv/<name> down)", async () => {
    const root = tmp("nixi-nest-");
    const r = await runBin(`container deploy web --image nginx:1.27 --volume data/a:/a --volume logs:/logs --backend podman --yes --root ${root}`, opts);
    expect(r.exitCode, r.stderr).toBe(0);
    const v = await evalModule(join(root, "etc/nixos/nixi/containers.nix"));
    const pre = v.systemd.services["podman-web"].serviceConfig.ExecStartPre;
    // lib.mkAfter: after oci-containers' own pre-start script (which removes the old container)
    expect(pre._type).toBe("order");
    expect(pre.priority).toBe(1500);
    expect(pre.content).toHaveLength(1);
    const cmd: string = pre.content[0];
    // what systemd runs: /bin/sh -c "<script>"; nothing in it that systemd would unquote or expand
    const m = /^\/bin\/sh -c "([^"\\%$]*)"$/.exec(cmd);
    expect(m, cmd).not.toBeNull();
    const script = m![1];
    // run it against real folders: the same paths under a scratch directory
    const box = tmp("nixi-nest-box-");
    const local = script.replaceAll(" /srv/", ` ${box}/srv/`).replaceAll("'nixi: /srv/", `'nixi: ${box}/srv/`);
    expect(local).not.toBe(script);
    const runCheck = () => spawnSync("sh", ["-c", local], { encoding: "utf8" });
    mkdirSync(join(box, "srv/web/data/a"), { recursive: true });
    mkdirSync(join(box, "srv/web/logs"), { recursive: true });
    expect(runCheck().status).toBe(0);
    // missing folders are left to tmpfiles
    rmSync(join(box, "srv/web/logs"), { recursive: true });
    expect(runCheck().status).toBe(0);
    // the inner folder replaced by a symlink to /
    rmSync(join(box, "srv/web/data/a"), { recursive: true });
    symlinkSync("/", join(box, "srv/web/data/a"));
    let res = runCheck();
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/data\/a is a symlink or not a folder; refusing to start web/);
    // a symlink higher up (data -> elsewhere) is caught too, even though data/a then resolves to a folder
    rmSync(join(box, "srv/web/data"), { recursive: true });
    mkdirSync(join(box, "elsewhere/a"), { recursive: true });
    symlinkSync(join(box, "elsewhere"), join(box, "srv/web/data"));
    res = runCheck();
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/web\/data is a symlink/);
    // a file where a folder belongs
    rmSync(join(box, "srv/web/data"));
    writeFileSync(join(box, "srv/web/data"), "x");
    expect(runCheck().status).toBe(1);
  });
});
