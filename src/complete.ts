// `nixi __complete WHAT [--config FILE] [--root DIR]`: values for the shell completions, one per
// line. Hidden (not in the registry, help or man pages) and fast: bin/nixi loads only this file.
// WHAT: nodes, tags (config.toml, with the system layer), containers (state.toml), units, timers
// (systemctl on this machine, 1.5 s at most; never under --root). Nothing is printed on any failure.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { namedExports } from "./core/lazy-import.js";

const SYSTEMCTL_TIMEOUT_MS = 1500;

function option(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(name + "=")) return argv[i].slice(name.length + 1);
  }
  return undefined;
}

async function config(argv: string[]) {
  const { loadConfig, defaultConfigPath } = await import("./core/config.js");
  return loadConfig(option(argv, "--config") ?? defaultConfigPath(process.env), process.env);
}

function systemdUnits(type: "service" | "timer"): Promise<string[]> {
  return new Promise((resolve) => {
    execFile("systemctl", ["list-units", `--type=${type}`, "--all", "--no-legend", "--plain", "--no-pager"], { timeout: SYSTEMCTL_TIMEOUT_MS, encoding: "utf8" }, (err, stdout) => {
      if (err) return resolve([]);
      resolve(stdout.split("\n").map((l) => l.trim().split(/\s+/)[0]).filter((u) => u.endsWith(`.${type}`)).map((u) => (type === "service" ? u.slice(0, -8) : u.slice(0, -6))));
    });
  });
}

async function values(what: string, argv: string[]): Promise<string[]> {
  const root = option(argv, "--root");
  switch (what) {
    case "nodes":
      return (await config(argv)).nodes.map((n) => n.name);
    case "tags":
      return (await config(argv)).nodes.flatMap((n) => n.tags ?? []);
    case "containers": {
      const cfg = await config(argv);
      const { parse } = await namedExports(import("smol-toml"));
      const state = parse(await readFile(join(root ?? "/", cfg.nixiDir, "state.toml"), "utf8")) as any;
      return Object.keys(state?.containers?.containers ?? {});
    }
    case "units":
      return root && root !== "/" ? [] : systemdUnits("service");
    case "timers":
      return root && root !== "/" ? [] : systemdUnits("timer");
    default:
      return [];
  }
}

export async function complete(argv: string[]): Promise<void> {
  try {
    const out = [...new Set(await values(argv[0] ?? "", argv.slice(1)))].filter((v) => /^[A-Za-z0-9@_.:-]+$/.test(v)).sort();
    if (out.length) process.stdout.write(out.join("\n") + "\n");
  } catch {
    // a missing or broken file: nothing to offer
  }
}

void complete(process.argv.slice(3));
