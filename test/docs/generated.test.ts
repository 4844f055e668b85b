// completions/ and man/ are generated from the registry (scripts/gen-completions.mjs) and
// committed: they must match what the generator makes from the source now, and they must
// work — bash through its completion function, zsh in a real interactive shell (tmux), fish
// through `complete -C`, the man page through groff and man with warnings on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMANDS, GROUP_SUMMARIES } from "../../src/commands/registry.js";
import { toMeta } from "../../src/core/meta.js";
import { BUILTIN_OPTIONS, GLOBAL_OPTIONS } from "../../src/core/global-options.js";
import { EXIT_CODE_TABLE } from "../../src/core/errors.js";
import { sudoCommands, sudoersEscape } from "../../src/nixos/node-setup.js";
import { OWNED_FILES } from "../../src/nixos/generate.js";
import { GLOBAL_FLAG_NAMES, GLOBAL_SHORT_FLAGS } from "../../src/core/command.js";
import { REPO, run } from "../helpers/run.js";
// @ts-expect-error: plain ESM script without types
import { generate, GENERATED_FILES, sudoRules, staleCommandPages } from "../../scripts/gen-completions.mjs";
import { needProgram } from "../helpers/require.js";

const metas = COMMANDS.map(toMeta);
const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
const files: Record<string, string> = generate({
  metas,
  groups: GROUP_SUMMARIES,
  globalOptions: GLOBAL_OPTIONS,
  builtinOptions: BUILTIN_OPTIONS,
  exitCodes: EXIT_CODE_TABLE,
  version,
  sudoRules: sudoRules(sudoCommands, sudoersEscape),
  ownedFiles: OWNED_FILES,
});
const which = (prog: string) => spawnSync("sh", ["-c", `command -v ${prog}`]).status === 0;
const longOf = (flags: string) => flags.replace(/^.*?--([\w-]+).*$/, "$1");
const shortOf = (flags: string) => /^-(\w),/.exec(flags)?.[1];
const GLOBAL_LONG = [...GLOBAL_OPTIONS, ...BUILTIN_OPTIONS].map((o) => `--${longOf(o.flags)}`).sort();
const tmpDirs: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("generated files are up to date", () => {
  it("the generator writes the listed files plus one man page per command path", () => {
    const pages = metas.map((m) => `man/${["nixi", ...m.path].join("-")}.1`);
    expect(Object.keys(files).sort()).toEqual([...GENERATED_FILES, ...pages].sort());
  });

  it("man/ holds no page of a command that no longer exists", () => {
    expect(staleCommandPages(REPO, files)).toEqual([]);
  });

  it.each(Object.keys(files))("%s equals what the generator makes from the registry now", (rel) => {
    const onDisk = readFileSync(join(REPO, rel), "utf8");
    // On a mismatch: run `npm run build` (or `node scripts/gen-completions.mjs`) and commit completions/ and man/.
    expect(onDisk === files[rel], `${rel} is out of date: run \`npm run build\` and commit it`).toBe(true);
  });

  // CI runs the build first (which rewrites the files), so there the committed version is what counts.
  it.runIf(!!process.env.CI && existsSync(join(REPO, ".git")))("CI: the committed versions equal the generator's output", () => {
    for (const rel of Object.keys(files)) {
      const committed = execFileSync("git", ["show", `HEAD:${rel}`], { cwd: REPO, encoding: "utf8", maxBuffer: 16 << 20 });
      expect(committed === files[rel], `${rel} as committed is out of date: run \`npm run build\` and commit it`).toBe(true);
    }
  });

  it("is deterministic: the same input gives the same bytes, whatever the registry order", () => {
    const again = generate({
      metas: [...metas].reverse(),
      groups: GROUP_SUMMARIES,
      globalOptions: [...GLOBAL_OPTIONS].reverse(),
      builtinOptions: BUILTIN_OPTIONS,
      exitCodes: EXIT_CODE_TABLE,
      version,
      sudoRules: sudoRules(sudoCommands, sudoersEscape),
      ownedFiles: OWNED_FILES,
    });
    expect(again).toEqual(files);
  });

  it("the global options are the ones the CLI registers, and defineCommand refuses them all", async () => {
    // commander's own help lists every global option with its description
    const help = (await run("--help")).stdout;
    for (const o of GLOBAL_OPTIONS) {
      expect(help).toContain(o.flags);
      expect(help.replace(/\s+/g, " ")).toContain(o.description.split(" ").slice(0, 4).join(" "));
      const long = longOf(o.flags);
      expect(GLOBAL_FLAG_NAMES).toContain(long);
      if (long.startsWith("no-")) expect(GLOBAL_FLAG_NAMES).toContain(long.slice(3));
      const short = shortOf(o.flags);
      if (short) expect(GLOBAL_SHORT_FLAGS).toContain(short);
    }
    for (const o of BUILTIN_OPTIONS) expect(help).toContain(o.flags);
  });

  it("names every command, group and flag", () => {
    const man = files["man/nixi.1"];
    for (const m of metas) {
      expect(files["completions/nixi.bash"]).toContain(`"${m.path.join(" ")}"`);
      expect(man).toContain(`\\fBnixi ${m.path.join(" ").replace(/-/g, "\\-")}\\fR`);
      for (const name of Object.keys(m.flags)) {
        expect(files["completions/nixi.fish"]).toContain(`-l ${name} `);
        expect(files["completions/_nixi"]).toContain(`--${name}`);
        expect(man).toContain(`\\fB\\-\\-${name.replace(/-/g, "\\-")}\\fR`);
      }
    }
    for (const g of Object.keys(GROUP_SUMMARIES)) expect(man).toContain(`.SS "${g.replace(/-/g, "\\-")}"`);
  });
});

// ------------------------------------------------------------------------------------------
// bash: the completion function with COMP_WORDS / COMP_CWORD set, as bash sets them

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Complete each line (the cursor at its end; a trailing space starts a new word). */
function bashComplete(lines: string[], env: Record<string, string> = {}): string[][] {
  const script = [`source ${sq(join(REPO, "completions/nixi.bash"))}`];
  for (const l of lines) {
    const words = l.split(" ");
    script.push(`COMP_WORDS=(${words.map(sq).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _nixi; printf '%s\\037' "\${COMPREPLY[@]}"; printf '\\n'`);
  }
  const out = execFileSync("bash", ["--norc", "--noprofile", "-c", script.join("\n")], { encoding: "utf8", cwd: tmp("nixi-bashc-"), env: { ...process.env, ...env } });
  return out
    .split("\n")
    .slice(0, lines.length)
    .map((l) => l.split("\x1f").filter(Boolean));
}
const bash1 = (line: string, env: Record<string, string> = {}) => bashComplete([line], env)[0];

/** Two inventories: the default one (NIXI_CONFIG) with web1, db, web2; another with "other". */
function inventories() {
  const dir = tmp("nixi-inv-");
  const a = join(dir, "a.toml");
  const b = join(dir, "b.toml");
  writeFileSync(a, `[ssh]\nparallel = 4\n\n[[nodes]]\nname = "web1"\nhost = "10.0.0.5"\n\n[[ nodes ]]\nhost = "db.lan"\nname = 'db' # the database\n\n[[nodes]]\nname="web2"\nhost="10.0.0.6"\n\n[health]\nname = "not-a-node"\n`);
  writeFileSync(b, `[[nodes]]\nname = "other"\nhost = "192.0.2.7"\n`);
  return { dir, a, b };
}

describe("bash completion", () => {
  it("completes groups, commands and flags", () => {
    expect(bash1("nixi fw o")).toEqual(["open"]);
    expect(bash1("nixi fw open --int")).toEqual(["--interface"]);
    expect(bash1("nixi ")).toEqual([...Object.keys(GROUP_SUMMARIES).filter((g) => !g.includes(" ")), ...metas.filter((m) => m.path.length === 1).map((m) => m.path[0]), "help"].sort());
    expect(bash1("nixi fw ")).toEqual(["close", "list", "open"]);
    expect(bash1("nixi sys")).toEqual(["system"]);
    expect(bash1("nixi container deploy web -")).toEqual(expect.arrayContaining(["--image", "--restart-policy", "--open-firewall", "--json", "--yes"]));
  });

  it("every command offers exactly its own flags plus the global ones", () => {
    const leaves = metas.map((m) => m.path.join(" "));
    const got = bashComplete(leaves.map((p) => `nixi ${p} --`));
    leaves.forEach((p, i) => {
      const own = Object.keys(metas[i].flags).map((f) => `--${f}`);
      expect(got[i].sort(), p).toEqual([...GLOBAL_LONG, ...own].sort());
    });
  });

  it("global options anywhere, flag values, choices, and the --flag=value form", () => {
    const root = tmp("nixi-bash-root-");
    mkdirSync(join(root, "etc-dir"));
    writeFileSync(join(root, "etc-file"), "");
    expect(bash1("nixi --root /tmp fw l")).toEqual(["list"]);
    expect(bash1("nixi --json --node web1 fw open 80 --interface eth0 --in")).toEqual(["--insecure", "--interface"]);
    expect(bash1("nixi fw open 80 --roo")).toEqual(["--root"]); // (--ro also matches --rolling)
    expect(bash1("nixi fw open --interface ")).toEqual([]); // free text: nothing to offer
    expect(bash1("nixi container deploy web --restart-policy ")).toEqual(["always", "unless-stopped", "on-failure", "no"]);
    expect(bash1("nixi container deploy web --restart-policy = u")).toEqual(["unless-stopped"]);
    expect(bash1("nixi container deploy web --restart-policy =")).toEqual(["always", "unless-stopped", "on-failure", "no"]);
    expect(bash1("nixi node adopt a b --mode m")).toEqual(["managed", "monitored"]);
    expect(bash1(`nixi --root ${root}/etc`)).toEqual([`${root}/etc-dir`]); // directories only
    expect(bash1(`nixi fw list --config ${root}/etc`).sort()).toEqual([`${root}/etc-dir`, `${root}/etc-file`]);
    expect(bash1(`nixi container deploy web --env-file ${root}/etc-f`)).toEqual([`${root}/etc-file`]);
    // a value that looks like a command word is not one
    expect(bash1("nixi --node fw system ")).toEqual(["gc", "generations", "health", "info", "reboot", "rebuild", "rollback", "upgrade"]);
    // short flags with a value
    expect(bash1("nixi service logs nginx -n 50 --fol")).toEqual(["--follow"]);
  });

  it("--node completes node names from the inventory: NIXI_CONFIG, --config on the line, comma lists", () => {
    const { a, b, dir } = inventories();
    const env = { NIXI_CONFIG: a };
    expect(bash1("nixi --node ", env)).toEqual(["web1", "db", "web2"]);
    expect(bash1("nixi fw list --node w", env)).toEqual(["web1", "web2"]);
    expect(bash1("nixi fw list --node web1,d", env)).toEqual(["web1,db"]);
    expect(bash1(`nixi --config ${b} fw list --node `, env)).toEqual(["other"]);
    expect(bash1(`nixi --config = ${b} --node `, env)).toEqual(["other"]);
    expect(bash1("nixi --node = w", env)).toEqual(["web1", "web2"]);
    // the default place: $XDG_CONFIG_HOME/nixi/config.toml
    mkdirSync(join(dir, "xdg/nixi"), { recursive: true });
    copyFileSync(b, join(dir, "xdg/nixi/config.toml"));
    expect(bash1("nixi --node ", { NIXI_CONFIG: "", XDG_CONFIG_HOME: join(dir, "xdg") })).toEqual(["other"]);
    // no inventory: nothing, and no error
    expect(bash1("nixi --node ", { NIXI_CONFIG: join(dir, "missing.toml") })).toEqual([]);
    // a node name is a value, not a command word
    expect(bash1("nixi --node web1 fw l", env)).toEqual(["list"]);
  });

  it("help completes command words and exit-codes; unknown words complete nothing", () => {
    expect(bash1("nixi help ")).toContain("exit-codes");
    expect(bash1("nixi help fw")).toEqual(["fw"]);
    expect(bash1("nixi help f")).toEqual(["file", "fw"]);
    expect(bash1("nixi help fw o")).toEqual(["open"]);
    expect(bash1("nixi fx o")).toEqual([]);
    expect(bash1("nixi fw open 80 ")).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------
// zsh: a real interactive zsh in tmux, Tab pressed, the screen read back

const HAVE_ZSH = needProgram("zsh", "tmux");
describe.skipIf(!HAVE_ZSH)("zsh completion (interactive zsh in tmux; needs the zsh and tmux packages)", () => {
  const socket = `nixi-zsh-test-${process.pid}`;
  let inv: ReturnType<typeof inventories>;
  const session = "z";
  const tmuxCmd = (...args: string[]) => execFileSync("tmux", ["-f", "/dev/null", "-L", socket, ...args], { encoding: "utf8" });
  const screen = () => tmuxCmd("capture-pane", "-p", "-t", session);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const waitFor = async (pred: (s: string) => boolean, ms = 10_000) => {
    for (let i = 0; i < ms / 50; i++) {
      const s = screen();
      if (pred(s)) return s;
      await sleep(50);
    }
    return screen();
  };

  beforeAll(async () => {
    const home = tmp("nixi-zsh-");
    mkdirSync(join(home, "fpath"));
    copyFileSync(join(REPO, "completions/_nixi"), join(home, "fpath/_nixi"));
    writeFileSync(join(home, ".zshrc"), `fpath=(${home}/fpath $fpath)\nautoload -U compinit && compinit -u -D\nPS1='READY> '\n`);
    inv = inventories();
    tmuxCmd("new-session", "-d", "-s", session, "-x", "200", "-y", "50", `env -i HOME=${home} ZDOTDIR=${home} NIXI_CONFIG=${inv.a} TERM=xterm PATH=/usr/bin:/bin zsh -i`);
    const s = await waitFor((t) => t.includes("READY>"));
    expect(s).toContain("READY>");
  });
  afterAll(() => {
    try {
      tmuxCmd("kill-server"); // our own server (-L socket), nobody else's
    } catch {}
  });

  /** Type `text`, press Tab `tabs` times, and return the screen once `expected` shows on it. */
  async function complete(text: string, expected: string, tabs = 1): Promise<string> {
    tmuxCmd("send-keys", "-t", session, "C-c");
    tmuxCmd("send-keys", "-t", session, "C-l");
    await waitFor((t) => t.trim() === "READY>");
    tmuxCmd("send-keys", "-t", session, "-l", text);
    await waitFor((t) => t.includes(text.trimEnd())); // tmux drops trailing blanks
    for (let i = 0; i < tabs; i++) {
      tmuxCmd("send-keys", "-t", session, "Tab");
      await sleep(150);
    }
    return waitFor((t) => t.includes(expected));
  }

  it("completes a command, a flag, choices, and help topics", async () => {
    expect(await complete("nixi fw o", "READY> nixi fw open")).toContain("READY> nixi fw open");
    expect(await complete("nixi fw open --int", "--interface")).toContain("--interface");
    expect(await complete("nixi --root /tmp fw l", "nixi --root /tmp fw list")).toContain("nixi --root /tmp fw list");
    const choices = await complete("nixi container deploy web --restart-policy ", "unless-stopped");
    for (const c of ["always", "unless-stopped", "on-failure", "no"]) expect(choices).toContain(c);
    expect(await complete("nixi help e", "nixi help exit-codes")).toContain("nixi help exit-codes");
    expect(await complete("nixi help fw o", "nixi help fw open")).toContain("nixi help fw open");
    // descriptions come from the registry
    // node names from the inventory ($NIXI_CONFIG, or --config on the line)
    const nodes = await complete("nixi --node ", "web2");
    for (const n of ["web1", "db", "web2"]) expect(nodes).toContain(n);
    expect(await complete("nixi fw list --node web1,d", "--node web1,db")).toContain("--node web1,db");
    expect(await complete(`nixi --config ${inv.b} fw list --node o`, "--node other")).toContain("--node other");
    const fwOpen = metas.find((m) => m.path.join(" ") === "fw open")!.summary;
    expect(await complete("nixi fw ", fwOpen.slice(0, 30))).toContain(fwOpen.slice(0, 30));
  });
});

// ------------------------------------------------------------------------------------------
// fish: `complete -C` runs the completions for a command line

const HAVE_FISH = needProgram("fish");
describe.skipIf(!HAVE_FISH)("fish completion (needs the fish package)", () => {
  let home = "";
  beforeAll(() => {
    home = tmp("nixi-fish-");
  });
  const fish = (line: string, extraEnv: Record<string, string> = {}) =>
    execFileSync("fish", ["--no-config", "-c", `source ${sq(join(REPO, "completions/nixi.fish"))}; complete -C ${sq(line)}`], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, ...extraEnv },
      cwd: home,
    })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")[0]);

  it("completes groups, commands, flags, choices and help", () => {
    expect(fish("nixi fw o")).toEqual(["open"]);
    expect(fish("nixi fw open --int")).toEqual(["--interface"]);
    expect(fish("nixi --root /tmp fw l")).toEqual(["list"]);
    expect(fish("nixi container deploy web --restart-policy ").sort()).toEqual(["always", "no", "on-failure", "unless-stopped"]);
    expect(fish("nixi help ")).toContain("exit-codes");
    expect(fish("nixi help ")).not.toContain("help");
    expect(fish("nixi help fw ")).toEqual(["close", "list", "open"]);
    expect(fish("nixi fw open --interface eth0 --in")).toEqual(["--insecure", "--interface"]);
    expect(fish("nixi ").sort()).toEqual([...Object.keys(GROUP_SUMMARIES).filter((g) => !g.includes(" ")), ...metas.filter((m) => m.path.length === 1).map((m) => m.path[0]), "help"].sort());
    expect(fish("nixi fw list --")).toEqual(expect.arrayContaining(["--json", "--root", "--yes"]));
    expect(fish("nixi fw list --")).not.toContain("--interface");
  });

  it("--node completes node names from the inventory", () => {
    const { a, b } = inventories();
    expect(fish("nixi --node ", { NIXI_CONFIG: a }).sort()).toEqual(["db", "web1", "web2"]);
    expect(fish("nixi fw list --node web1,d", { NIXI_CONFIG: a })).toEqual(["web1,db"]);
    expect(fish(`nixi --config ${b} fw list --node `, { NIXI_CONFIG: a })).toEqual(["other"]);
    expect(fish("nixi --node web1 fw l", { NIXI_CONFIG: a })).toEqual(["list"]);
  });
});

// ------------------------------------------------------------------------------------------
// the man page

describe("man pages per command and nixi-config(5)", () => {
  const pages = Object.keys(files).filter((f) => f.startsWith("man/") && f !== "man/nixi.1");
  it.runIf(needProgram("groff"))("groff -man -ww -z is silent on every page", () => {
    for (const rel of pages) {
      const r = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z", join(REPO, rel)], { encoding: "utf8" });
      expect(`${rel}: ${r.stderr}`).toBe(`${rel}: `);
      expect(r.status).toBe(0);
    }
  });
  it("nixi-fw-open(1) has synopsis, description, options, examples, exit status and see also", () => {
    const page = files["man/nixi-fw-open.1"];
    for (const sec of ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "EXIT STATUS", "SEE ALSO"]) expect(page).toContain(`.SH ${sec}`);
    expect(page).toContain("\\fBnixi fw open\\fR");
    expect(page).toContain("\\-\\-interface");
    expect(page).toContain("nixi\\-fw\\-close\\fR(1)");
  });
  it("nixi-config(5) documents config.toml tables, [[nodes]], the system layer and state.toml", () => {
    const page = files["man/nixi-config.5"];
    for (const s of ['.SS "[rebuild]"', '.SS "[[nodes]]"', "/etc/nixi/config.toml", ".SH STATE.TOML", "firewall.nix"]) expect(page).toContain(s);
  });
});

describe("man page", () => {
  it.runIf(needProgram("groff"))("groff renders it without a warning (all warnings on; needs the groff-base package)", () => {
    const r = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z", join(REPO, "man/nixi.1")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });

  it.runIf(needProgram("man", "groff"))("man -l renders it without a warning, with every section, command and exit code (needs man-db)", () => {
    const r = spawnSync("man", ["--warnings", "-l", join(REPO, "man/nixi.1")], {
      encoding: "utf8",
      env: { ...process.env, MANWIDTH: "100", MANPAGER: "cat", PAGER: "cat", LC_ALL: "C.UTF-8" },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const text = r.stdout.replace(/.\x08/g, ""); // no overstrike when not on a terminal, but be sure
    for (const s of ["NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES"]) expect(text).toMatch(new RegExp(`^${s}$`, "m"));
    for (const m of metas) expect(text).toContain(`nixi ${m.path.join(" ")}`);
    for (const [code, meaning] of EXIT_CODE_TABLE) expect(text.replace(/\s+/g, " ")).toContain(`${code} ${meaning.charAt(0).toUpperCase()}${meaning.slice(1, 20)}`);
    for (const v of ["NIXI_CONFIG", "NO_COLOR", "XDG_CONFIG_HOME"]) expect(text).toContain(v);
    for (const f of ["config.toml", "/etc/nixos/nixi/state.toml", ".lock/", ".previous/", ".applied/", ".failed/", ".rebuild.log"]) expect(text).toContain(f);
    expect(text).toContain("nixi fw open 53/udp 60000-61000/udp --interface eth0"); // an example, copy-pasteable
  });

  it("has no raw non-ASCII bytes (groff without preconv would garble them)", () => {
    expect(/[^\x00-\x7f]/.test(files["man/nixi.1"])).toBe(false);
  });
});
