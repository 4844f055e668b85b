// The hidden `nixi __complete WHAT` entry (src/complete.ts) of the BUILT CLI, and bash completing
// command arguments and --tag values through it (bin/ on PATH, as an installed nixi is).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/run.js";

const BIN = join(REPO, "bin", "nixi");
const dir = mkdtempSync(join(tmpdir(), `nixi-dyncomp-${process.pid}-`));
const root = join(dir, "root");
const cfg = join(dir, "config.toml");
const env = { ...process.env, NIXI_CONFIG: cfg, NIXI_SYSTEM_CONFIG: "", NO_COLOR: "1" };
const nixi = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });

beforeAll(() => {
  writeFileSync(cfg, '[[nodes]]\nname = "web1"\nhost = "10.0.0.5"\ntags = ["web", "eu"]\n\n[[nodes]]\nname = "db"\nhost = "db.lan"\ntags = ["eu"]\n');
  for (const name of ["web", "db"]) {
    const r = nixi("--root", root, "container", "deploy", name, "--image", "nginx:1.27", "--yes", "--no-rebuild");
    expect(r.status, r.stderr).toBe(0);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("nixi __complete", () => {
  it("prints node names, tags and containers, one per line, sorted", () => {
    expect(nixi("__complete", "nodes").stdout).toBe("db\nweb1\n");
    expect(nixi("__complete", "tags").stdout).toBe("eu\nweb\n");
    expect(nixi("__complete", "containers", "--root", root).stdout).toBe("db\nweb\n");
  });

  it("prints nothing and exits 0 on anything it cannot read or does not know", () => {
    for (const args of [["nodes", "--config", join(dir, "missing.toml")], ["containers", "--root", join(dir, "nowhere")], ["units", "--root", root], ["bogus"], []]) {
      const r = nixi("__complete", ...args);
      expect([r.status, r.stdout, r.stderr], args.join(" ")).toEqual([0, "", ""]);
    }
    writeFileSync(join(dir, "broken.toml"), "[[nodes]\nname=");
    const r = nixi("__complete", "nodes", "--config", join(dir, "broken.toml"));
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });

  it("is not a command: help and the man page do not list it", () => {
    expect(nixi("--help").stdout).not.toContain("__complete");
  });
});

describe("bash completes arguments through it", () => {
  const bash = (line: string) => {
    const words = line.split(" ");
    const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const script = `source ${sq(join(REPO, "completions/nixi.bash"))}\nCOMP_WORDS=(${words.map(sq).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _nixi; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync("bash", ["--norc", "--noprofile", "-c", script], { encoding: "utf8", env: { ...env, PATH: `${join(REPO, "bin")}:${process.env.PATH}` } });
    return out.split("\n").filter(Boolean);
  };
  it("container names from state.toml (with --root on the line)", () => {
    expect(bash(`nixi --root ${root} container stop `)).toEqual(["db", "web"]);
    expect(bash(`nixi --root ${root} container logs w`)).toEqual(["web"]);
    expect(bash(`nixi --root ${root} container logs web `)).toEqual([]); // only the first argument
  });
  it("node names for node setup, tags for --tag", () => {
    expect(bash("nixi node setup ")).toEqual(["db", "web1"]);
    expect(bash("nixi fw list --tag e")).toEqual(["eu"]);
  });
  it("unit names under --root: nothing (systemctl would ask this machine)", () => {
    expect(bash(`nixi --root ${root} service status `)).toEqual([]);
  });
});

describe("fish completes arguments through it", () => {
  const fish = (line: string) =>
    execFileSync("fish", ["--no-config", "-c", `source ${join(REPO, "completions/nixi.fish")}; complete -C '${line}'`], {
      encoding: "utf8",
      env: { ...env, PATH: `${join(REPO, "bin")}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir },
      cwd: dir,
    })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")[0]);
  it.runIf(spawnSync("sh", ["-c", "command -v fish"]).status === 0)("container names (with --root), node names, tags", () => {
    expect(fish(`nixi --root ${root} container stop `).sort()).toEqual(["db", "web"]);
    expect(fish("nixi node setup ").sort()).toEqual(["db", "web1"]);
    expect(fish("nixi fw list --tag ").sort()).toEqual(["eu", "web"]);
  });
});

describe("zsh completes arguments through it (interactive zsh in tmux)", () => {
  const hasZsh = spawnSync("sh", ["-c", "command -v zsh && command -v tmux"]).status === 0;
  it.runIf(hasZsh)("container names (with --root on the line)", async () => {
    const home = join(dir, "zsh-home");
    const socket = `nixi-dyn-${process.pid}`;
    execFileSync("mkdir", ["-p", join(home, "fpath")]);
    execFileSync("cp", [join(REPO, "completions/_nixi"), join(home, "fpath/_nixi")]);
    writeFileSync(join(home, ".zshrc"), `fpath=(${home}/fpath $fpath)\nautoload -U compinit && compinit -u -D\nPS1='READY> '\n`);
    const tmux = (...a: string[]) => execFileSync("tmux", ["-L", socket, ...a], { encoding: "utf8" });
    const screen = () => tmux("capture-pane", "-p", "-t", socket);
    const waitFor = async (pred: (s: string) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const s = screen();
        if (pred(s)) return s;
        await new Promise((r) => setTimeout(r, 50));
      }
      return screen();
    };
    const path = `${join(REPO, "bin")}:${join(process.execPath, "..")}:/usr/bin:/bin`;
    tmux("new-session", "-d", "-s", socket, "-x", "200", "-y", "20", `env -i HOME=${home} ZDOTDIR=${home} NIXI_CONFIG=${cfg} NIXI_SYSTEM_CONFIG= TERM=xterm PATH=${path} zsh -i`);
    try {
      expect(await waitFor((s) => s.includes("READY>"))).toContain("READY>");
      tmux("send-keys", "-t", socket, "-l", `nixi --root ${root} container stop w`);
      await waitFor((s) => s.includes("container stop w"));
      tmux("send-keys", "-t", socket, "Tab");
      // tmux drops trailing blanks: "web" on the line means the completion happened
      expect(await waitFor((s) => s.includes("container stop web"))).toContain(`nixi --root ${root} container stop web`);
    } finally {
      tmux("kill-server"); // our own server (-L socket)
    }
  });
});
