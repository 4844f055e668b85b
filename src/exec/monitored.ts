// The monitored executor: wraps any Executor and refuses, by itself, everything that could change
// the machine — whatever the command layer asked for. Defence in depth: a run() passes only when the
// caller marked it readOnly AND its argv is on this file's read-only allow-list. File reads pass;
// writeFile, mkdir, remove, rename and chmod always throw MONITORED (exit 4).
import type { BatchOp, BatchOptions, BatchResult, Executor, FileStat, RunOptions, RunResult, WriteOptions } from "../core/executor.js";
import { batchIsReadOnly } from "./batch.js";
import { NixiError } from "../core/errors.js";
import { CHECK_ARG0, CHECK_SCRIPT } from "../net/check.js";
import { checkHost, checkPort } from "../net/validate.js";

type Check = (args: string[]) => boolean;

/** Options of a program, split into those without a value and those taking the next argument. */
interface OptSpec {
  flags: readonly string[];
  withValue?: readonly string[];
}

/**
 * Walk args: every option must be known (`--opt=value` allowed for value options);
 * returns the positional words, or null when an unknown option appears.
 */
function positionals(args: string[], spec: OptSpec): string[] | null {
  const out: string[] = [];
  const withValue = spec.withValue ?? [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
      if (withValue.includes(name)) {
        if (!a.includes("=")) {
          i++; // the value is the next word
          // A separate value that looks like an option is refused: programs with optional-argument
          // options (journalctl -n) would parse it as the next option, which this walk skipped.
          if (i >= args.length || args[i].startsWith("-")) return null;
        }
        continue;
      }
      if (spec.flags.includes(a)) continue;
      return null;
    }
    out.push(a);
  }
  return out;
}

const any: Check = () => true;
const noArgs: Check = (a) => a.length === 0;
const onlyFlags =
  (spec: OptSpec, maxPositional = Infinity): Check =>
  (a) => {
    const p = positionals(a, spec);
    return p !== null && p.length <= maxPositional;
  };
const none = (forbidden: RegExp): Check => (a) => !a.some((x) => forbidden.test(x));

const SYSTEMCTL_VERBS = new Set([
  "status", "show", "cat", "list-units", "list-unit-files", "list-timers", "list-sockets", "list-dependencies",
  "list-jobs", "list-machines", "list-paths", "is-active", "is-enabled", "is-failed", "is-system-running",
  "show-environment", "get-default",
]);
const SYSTEMCTL_OPTS: OptSpec = {
  flags: ["--no-pager", "--plain", "-a", "--all", "-l", "--full", "-q", "--quiet", "--failed", "--no-legend", "--value", "--system", "--user", "-r", "--recursive", "--reverse", "--after", "--before", "--show-types", "--no-ask-password"],
  withValue: ["-o", "--output", "-p", "--property", "-P", "-t", "--type", "--state", "-n", "--lines", "--legend", "--json", "--timestamp", "--what"],
};
const systemctl: Check = (a) => {
  const p = positionals(a, SYSTEMCTL_OPTS);
  return p !== null && p.length > 0 && SYSTEMCTL_VERBS.has(p[0]);
};

// journalctl: an allow-list of reading options. A deny-list does not work: getopt_long takes any
// unambiguous prefix (`--rot` rotates, `--cursor-f=FILE` writes FILE), and --cursor-file writes.
const JOURNALCTL_OPTS: OptSpec = {
  flags: ["--no-pager", "-f", "--follow", "-r", "--reverse", "-a", "--all", "-q", "--quiet", "-x", "--catalog", "-k", "--dmesg", "--utc", "--no-hostname", "--no-full", "-l", "--full", "-e", "--pager-end", "-m", "--merge", "--system", "--user", "--list-boots", "--disk-usage", "--header", "-N", "--fields", "--show-cursor"],
  withValue: ["-u", "--unit", "--user-unit", "-o", "--output", "-n", "--lines", "-S", "--since", "-U", "--until", "-p", "--priority", "-t", "--identifier", "-g", "--grep", "--case-sensitive", "--output-fields", "-c", "--cursor", "--after-cursor", "-F", "--field", "-M", "--machine", "--facility"],
};
const journalctl: Check = (a) => positionals(a, JOURNALCTL_OPTS) !== null;

const NFT_OPTS: OptSpec = { flags: ["-j", "--json", "-a", "--handle", "-n", "--numeric", "-s", "--stateless", "-t", "--terse", "-y", "--numeric-priority", "-p", "--numeric-protocol", "-T", "--numeric-time", "-N", "--reversedns", "-S", "--service", "-u", "--guid"] };
const nft: Check = (a) => {
  const p = positionals(a, NFT_OPTS);
  // nft joins its words into one script: forbid anything that could start a second command.
  return p !== null && p[0] === "list" && p.every((w) => /^[A-Za-z0-9_.:-]+$/.test(w));
};

const IPT_OPTS: OptSpec = { flags: ["-S", "--list-rules", "-L", "--list", "-n", "--numeric", "-v", "--verbose", "-x", "--exact", "--line-numbers", "-w", "--wait", "-4", "-6"], withValue: ["-t", "--table", "-W", "--wait-interval"] };
const iptables: Check = (a) => {
  const p = positionals(a, IPT_OPTS);
  return p !== null && p.length <= 2 && a.some((x) => ["-S", "--list-rules", "-L", "--list"].includes(x));
};
// no -M/--modprobe: its value is a program iptables-save runs (as root) to load a module
const iptablesSave = onlyFlags({ flags: ["-c", "--counters"], withValue: ["-t", "--table"] }, 0);

// podman / docker: the subcommand must be the first word (no global options that could swallow it).
const CONTAINER_READ: Record<string, Set<string> | true> = {
  ps: true, inspect: true, logs: true, images: true, info: true, version: true, top: true, port: true, stats: true, events: true,
  container: new Set(["ls", "list", "ps", "inspect", "logs", "top", "port", "exists", "stats", "diff"]),
  image: new Set(["ls", "list", "inspect", "exists", "history"]),
  network: new Set(["ls", "list", "inspect", "exists"]),
  volume: new Set(["ls", "list", "inspect", "exists"]),
  pod: new Set(["ps", "ls", "list", "inspect", "exists", "logs", "top", "stats"]),
  system: new Set(["df", "info"]),
  compose: new Set(["ps", "ls", "logs", "config", "images", "top", "version"]),
};
// Options accepted after the subcommand. podman takes its global options there too, and some write:
// `podman ps --root DIR` creates a storage tree in DIR, `--out FILE` (podman >= 4.6) writes FILE,
// `--url`/`--connection` go elsewhere, `ps --sync` rewrites container state, `compose config -o` writes.
// So every word that looks like an option must be one of these (`--opt=value` for value options).
const CONTAINER_OPTS = new Set([
  "-a", "--all", "--no-trunc", "-q", "--quiet", "-s", "--size", "-l", "--latest", "-n", "--names", "--noheading",
  "--format", "--filter", "--sort", "--last", "--pod", "-p", "--external", "--ns", "--digests", "--no-stream",
  "--type", "-t", "--timestamps", "--tail", "--since", "--until", "-f", "--follow", "--color", "--details",
  "--stream", "--no-color", "--no-reset", "--interval", "-i", "--tree", "--human", "--verbose", "-v",
]);
const containerCli: Check = (a) => {
  const sub = a[0];
  const rule = sub !== undefined ? CONTAINER_READ[sub] : undefined;
  if (rule === undefined) return false;
  if (rule !== true && (a[1] === undefined || !rule.has(a[1]))) return false;
  for (const w of a.slice(rule === true ? 1 : 2)) {
    if (w === "--") break;
    if (w.startsWith("-") && w !== "-" && !CONTAINER_OPTS.has(w.includes("=") ? w.slice(0, w.indexOf("=")) : w)) return false;
  }
  return true;
};

const nixosRebuild: Check = (a) => a[0] === "list-generations" && a.slice(1).every((x) => x === "--json");
const nixEnv: Check = (a) => {
  const p = positionals(a, { flags: ["--list-generations", "-q", "--query", "--json", "--installed", "-a", "--available", "-s", "--status", "-P", "--attr-path", "--out-path", "--description", "--no-name", "-qa", "-qaP", "--xml", "--meta"], withValue: ["-p", "--profile", "-f", "--file", "-A", "--attr"] });
  return p !== null && a.some((x) => ["--list-generations", "-q", "--query", "-qa", "-qaP"].includes(x));
};
const nixChannel: Check = (a) => a.length === 1 && a[0] === "--list";
const nixStore: Check = (a) =>
  (a[0] === "-q" || a[0] === "--query") && onlyFlags({ flags: ["--references", "--referrers", "--requisites", "-R", "--tree", "--graph", "--size", "--hash", "--deriver", "--outputs", "--roots", "--closure-size"] })(a.slice(1));
const nix: Check = (a) => {
  const p = positionals(a, { flags: ["--json", "--version", "--offline", "--no-write-lock-file"], withValue: ["--extra-experimental-features", "--experimental-features", "--exclude", "-e", "--option"] });
  if (p === null) return a.length === 1 && a[0] === "--version";
  if (a.includes("--option")) return false;
  return p.length === 0 ? a.includes("--version") : ["search", "path-info"].includes(p[0]);
};

const hostname = onlyFlags({ flags: ["-f", "--fqdn", "-s", "--short", "-i", "--ip-address", "-I", "--all-ip-addresses", "-d", "--domain", "-A", "--all-fqdns"] }, 0);
const date: Check = (a) => a.every((x) => /^\+/.test(x) || ["-u", "--utc", "-R", "--rfc-email", "-I", "--iso-8601", "-Iseconds", "--iso-8601=seconds"].includes(x));
const ip: Check = (a) => {
  const p = positionals(a, { flags: ["-j", "-json", "-br", "-brief", "-4", "-6", "-d", "-details", "-s", "-stats", "-p", "-pretty", "-o", "-oneline", "-c", "-color=never", "-color=auto"] });
  if (p === null || p.length === 0) return false;
  if (!["addr", "address", "a", "link", "l", "route", "r", "neigh", "rule", "netns", "-json"].includes(p[0])) return false;
  return p.length === 1 || ["show", "list", "ls", "get"].includes(p[1]);
};
const find = none(/^-(delete|exec|execdir|ok|okdir|fprint|fprint0|fprintf|fls)$/);
const mount = (a: string[]) => a.length === 0 || (a.length === 1 && a[0] === "-l") || (a[0] === "-l" && a[1] === "-t" && a.length === 3) || (a[0] === "-t" && a.length === 2);
const smartctlOpts = onlyFlags({ flags: ["-a", "--all", "-H", "--health", "-i", "--info", "-A", "--attributes", "-x", "--xall", "-c", "--capabilities", "-j", "--json", "--scan", "--scan-open"], withValue: ["-d", "--device", "-l", "--log"] }, 1);
// `-l scterc,70,70` and `-l scttempint,N` set drive parameters: a log name with arguments is refused.
const smartctl: Check = (a) =>
  smartctlOpts(a) && a.every((w, i) => !(["-l", "--log"].includes(w) ? !/^[a-z]+$/.test(a[i + 1] ?? "") : /^--log=/.test(w) && !/^--log=[a-z]+$/.test(w)));
const nvidiaSmi: Check = (a) =>
  a.every((x) => /^--(query-gpu|query-compute-apps|format|id)=/.test(x) || ["-q", "--query", "-L", "--list-gpus", "-x", "--xml-format"].includes(x) || /^-i$|^\d+$/.test(x));
const rocmSmi: Check = (a) => a.every((x) => /^--show[a-z]*$/.test(x) || ["--json", "-a", "--alldevices", "-i", "-u", "-t", "-P", "-f", "--csv"].includes(x));
// Only verbs that parse or report; `verify` runs generators and man(1), `--root`/`--image` and the like are not needed.
const systemdAnalyze: Check = (a) => {
  const p = positionals(a, { flags: ["--no-pager", "--system", "--user", "-q", "--quiet", "--utc"], withValue: ["--iterations", "--base-time", "--json", "--fuzz"] });
  // security: reports the exposure score of units (no --offline/--root: those read other files)
  return p !== null && ["calendar", "timespan", "timestamp", "blame", "time", "critical-chain", "security"].includes(p[0] ?? "");
};
const ctlStatus: Check = (a) => {
  const p = positionals(a, { flags: ["-j", "--no-pager", "--static", "--transient", "--pretty", "-a", "--all", "-p"], withValue: ["--json", "-p", "--property"] });
  return p !== null && (p.length === 0 || ["status", "show", "list-timezones", "timesync-status", "show-timesync"].includes(p[0]));
};

// Network probes (net ping/trace/check/resolve): bounded counts and times, exactly one validated host
// as the last word. No ping -f (flood), -i (interval), -s (size), no traceroute -g (source routing).
const hostLast = (a: string[]) => a.length > 0 && a[a.length - 2] === "--" && checkHost(a[a.length - 1]) !== null;
const smallInt = (max: number) => (v: string | undefined) => v !== undefined && /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= max;
const pairs = (a: string[], spec: Record<string, (v: string | undefined) => boolean>, flags: readonly string[] = []) => {
  for (let i = 0; i < a.length - 2; i++) {
    if (flags.includes(a[i])) continue;
    const check = Object.prototype.hasOwnProperty.call(spec, a[i]) ? spec[a[i]] : undefined;
    if (!check || !check(a[++i])) return false;
  }
  return true;
};
const ping: Check = (a) => hostLast(a) && pairs(a, { "-c": smallInt(20), "-W": smallInt(10), "-w": smallInt(40) }, ["-n", "-4", "-6", "-q"]);
const tracepath: Check = (a) => hostLast(a) && pairs(a, { "-m": smallInt(30) }, ["-n", "-4", "-6", "-b"]);
const traceroute: Check = (a) => hostLast(a) && pairs(a, { "-m": smallInt(30), "-q": smallInt(3), "-w": smallInt(5) }, ["-n", "-4", "-6"]);
// coreutils timeout only around nixi's own TCP connect script (src/net/check.ts)
const timeout: Check = (a) =>
  a.length === 9 && a[0] === "-k" && a[1] === "1" && smallInt(60)(a[2]) && a[3] === "bash" && a[4] === "-c" && a[5] === CHECK_SCRIPT && a[6] === CHECK_ARG0 && checkHost(a[7]) !== null && checkPort(a[8]) !== null;
const resolvectl: Check = (a) => (a[0] === "query" && a.length <= 3 && a.slice(1, -1).every((x) => x === "--legend=yes" || x === "--legend=no") && checkHost(a[a.length - 1]) !== null) || (a.length <= 1 && ["status", "dns", undefined].includes(a[0]));

/** Programs (by base name) and how their arguments are checked. */
export const READ_ONLY_PROGRAMS: Record<string, Check> = {
  systemctl,
  journalctl,
  cat: any,
  head: any,
  tail: any,
  wc: any,
  grep: any,
  ls: any,
  stat: any,
  realpath: any,
  readlink: any,
  test: any,
  "[": any,
  find,
  du: any,
  df: any,
  uname: any,
  uptime: any,
  free: any,
  nproc: any,
  id: any,
  whoami: any,
  getent: any,
  printenv: any,
  lscpu: any,
  lspci: any,
  lsusb: any,
  lsblk: any,
  lsmod: any,
  findmnt: any,
  // blkid -c FILE writes its cache to FILE
  blkid: onlyFlags({ flags: ["-l", "-d", "-g", "-i", "-k", "-L", "-U", "-p"], withValue: ["-o", "--output", "-s", "--match-tag", "-t", "--match-token"] }),
  // sensors -s writes the chips' limits from the configuration; -c reads another configuration
  sensors: onlyFlags({ flags: ["-A", "--no-adapter", "-u", "-j", "-f", "--fahrenheit"] }),
  who: any,
  hostname,
  date,
  ip,
  // ss: -K (also inside -tK, or as the getopt prefix --kil) kills sockets, -D FILE writes FILE
  ss: onlyFlags({ flags: ["-t", "--tcp", "-u", "--udp", "-l", "--listening", "-n", "--numeric", "-p", "--processes", "-a", "--all", "-x", "--unix", "-w", "--raw", "-4", "--ipv4", "-6", "--ipv6", "-H", "--no-header", "-e", "--extended", "-m", "--memory", "-i", "--info", "-s", "--summary", "-O", "--oneline"] }),
  mount,
  nft,
  iptables,
  ip6tables,
  "iptables-legacy": iptables,
  "ip6tables-legacy": iptables,
  "iptables-nft": iptables,
  "iptables-save": iptablesSave,
  "ip6tables-save": iptablesSave,
  podman: containerCli,
  docker: containerCli,
  "nixos-version": any,
  "nixos-rebuild": nixosRebuild,
  "nix-env": nixEnv,
  "nix-channel": nixChannel,
  "nix-store": nixStore,
  nix,
  smartctl,
  "nvidia-smi": nvidiaSmi,
  "rocm-smi": rocmSmi,
  "systemd-analyze": systemdAnalyze,
  hostnamectl: ctlStatus,
  timedatectl: ctlStatus,
  loginctl: (a) => ["list-sessions", "list-users", "show-session", "show-user", "session-status", "user-status"].includes(a[0] ?? ""),
  "sha256sum": any,
  // sshd -T prints the effective configuration and exits; nothing else (no -f, -E LOG writes)
  sshd: (a) => a.length === 1 && a[0] === "-T",
  mokutil: (a) => a.length === 1 && a[0] === "--sb-state",
  "showmount": onlyFlags({ flags: ["-e", "--exports", "-a", "--all", "-d", "--directories"] }, 1),
  ping,
  tracepath,
  traceroute,
  timeout,
  resolvectl,
  true: any,
  echo: any,
  sleep: any,
};
function ip6tables(a: string[]): boolean {
  return iptables(a);
}

/** Environment variables a read-only call may set (nothing that changes how a program loads). */
// (no PAGER/SYSTEMD_PAGER: their value is a command line the program runs)
const SAFE_ENV = /^(LC_[A-Z]+|LANG|LANGUAGE|TZ|TERM|NO_COLOR|COLUMNS|SYSTEMD_COLORS|SYSTEMD_LESS|NIX_CONFIG_UNUSED)$/;

const TRUSTED_DIR = /^(\/run\/current-system\/sw\/s?bin\/|\/run\/wrappers\/bin\/|\/nix\/var\/nix\/profiles\/default\/bin\/|\/nix\/store\/[a-z0-9]{32}-[A-Za-z0-9+._?=-]+\/s?bin\/|\/usr\/s?bin\/|\/s?bin\/)$/;

/** Is this argv a read-only call according to the allow-list? */
export function isReadOnlyArgv(argv: readonly string[]): boolean {
  if (!argv.length) return false;
  const prog = argv[0];
  // a bare name or an absolute path to a program of that name
  // (absolute paths only in the system's program folders: /tmp/x/cat is not cat)
  const base = prog.includes("/") ? (TRUSTED_DIR.test(prog.slice(0, prog.lastIndexOf("/") + 1)) ? prog.slice(prog.lastIndexOf("/") + 1) : "") : prog;
  const check = Object.prototype.hasOwnProperty.call(READ_ONLY_PROGRAMS, base) ? READ_ONLY_PROGRAMS[base] : undefined;
  return check ? check(argv.slice(1)) : false;
}

export class MonitoredExecutor implements Executor {
  readonly node: string;
  readonly description: string;
  readonly refusesChanges = true;

  constructor(private readonly inner: Executor) {
    this.node = inner.node;
    this.description = `${inner.description} (monitored)`;
  }

  private refuse(what: string): never {
    throw new NixiError(
      "MONITORED",
      `node ${this.node} is monitored (read-only): refused to ${what}`,
      `nixi only reads from monitored nodes; to manage it, set mode = "managed" for it in config.toml`,
    );
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const shown = argv.slice(0, 3).join(" ") + (argv.length > 3 ? " ..." : "");
    if (!opts.readOnly) this.refuse(`run "${shown}" (not marked read-only)`);
    if (!isReadOnlyArgv(argv)) this.refuse(`run "${shown}" (not on the read-only allow-list)`);
    for (const k of Object.keys(opts.env ?? {})) if (!SAFE_ENV.test(k)) this.refuse(`set ${k} for "${shown}"`);
    return this.inner.run(argv, opts);
  }

  which(program: string): Promise<string | null> {
    return this.inner.which(program);
  }
  readFile(path: string): Promise<string | null> {
    return this.inner.readFile(path);
  }
  stat(path: string): Promise<FileStat | null> {
    return this.inner.stat(path);
  }
  realpath(path: string): Promise<string | null> {
    return this.inner.realpath(path);
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  async writeFile(path: string, _content: string, _opts?: WriteOptions): Promise<void> {
    this.refuse(`write ${path}`);
  }
  async mkdir(path: string, _opts?: { exclusive?: boolean; mode?: number; privileged?: boolean }): Promise<boolean> {
    this.refuse(`create ${path}`);
  }
  async remove(path: string, _opts?: { recursive?: boolean; privileged?: boolean }): Promise<void> {
    this.refuse(`remove ${path}`);
  }
  async rename(from: string, to: string): Promise<void> {
    this.refuse(`rename ${from} to ${to}`);
  }
  async chmod(path: string, _mode: number): Promise<void> {
    this.refuse(`chmod ${path}`);
  }
  /** Only batches of reads and stats pass. */
  async batch(ops: BatchOp[], opts?: BatchOptions): Promise<BatchResult[]> {
    if (!batchIsReadOnly(ops)) {
      const first = ops.find((o) => o.op !== "read" && o.op !== "stat" && o.op !== "exists")!;
      this.refuse(`${first.op} ${"path" in first ? first.path : first.to}`);
    }
    return this.inner.batch(ops, opts);
  }
  execCount(): number {
    return this.inner.execCount();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
