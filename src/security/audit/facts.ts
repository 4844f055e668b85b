// Everything the audit reads from a node, each through ctx.exec with readOnly (so it runs on
// monitored nodes: the programs are on src/exec/monitored.ts's allow-list). A probe that cannot run
// leaves its fact null with the reason; the checks then report `unknown`.
import type { Ctx } from "../../core/context.js";
import type { FileStat } from "../../core/executor.js";
import { loadState, type State } from "../../nixos/state.js";
import { prefetchFiles } from "../../exec/prefetch.js";

export interface Facts {
  state: State | null;
  sshd: Map<string, string[]> | null;
  nft: string | null;
  ss: string | null;
  sysctl: Map<string, string | null>;
  sudoers: string | null;
  nixConf: string | null;
  srv: FileStat | null;
  /** Owner uid of /srv, /srv/.credentials and its files (machine path -> uid), from one `stat -c`. */
  owners: Map<string, number>;
  credentials: FileStat | null;
  credentialFiles: Array<{ name: string; stat: FileStat | null }>;
  units: Map<string, string | null>; // systemctl is-active / is-enabled answers
  systemProfile: FileStat | null;
  analyzeSecurity: string | null;
  lsblk: string | null;
  secureBoot: string | null;
  storeSample: { scanned: number; hits: string[]; budgetMs: number } | null;
  why: Map<string, string>;
}

export const SYSCTLS = [
  "kernel.kptr_restrict", "kernel.dmesg_restrict", "kernel.unprivileged_bpf_disabled", "kernel.yama.ptrace_scope",
  "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.accept_redirects", "net.ipv6.conf.all.accept_redirects",
  "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.all.accept_source_route", "net.ipv4.tcp_syncookies",
  "fs.protected_symlinks", "fs.protected_hardlinks",
];

async function runRead(ctx: Ctx, facts: Facts, key: string, argv: string[]): Promise<string | null> {
  try {
    const r = await ctx.exec.run(argv, { readOnly: true, privileged: true, timeoutMs: 10_000 });
    if (r.notFound) facts.why.set(key, `${argv[0]} is not installed`);
    else if (r.exitCode !== 0) facts.why.set(key, `${argv.join(" ")} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split("\n").slice(-1)[0] ?? ""}`);
    else return r.stdout;
  } catch (e: any) {
    facts.why.set(key, `${argv[0]}: ${e.message}`);
  }
  return null;
}

const read = (ctx: Ctx, p: string) => ctx.exec.readFile(p).catch(() => null);

const PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{30,}|\bAKIA[0-9A-Z]{16}\b|\bxox[abprs]-[A-Za-z0-9-]{10,}/;

/** Sample files of this system's closure for private keys and tokens, within a time budget. */
async function sampleStore(ctx: Ctx, facts: Facts, budgetMs: number) {
  const list = await runRead(ctx, facts, "store", ["nix-store", "--query", "--requisites", "/run/current-system"]);
  if (list === null) return null;
  const deadline = Date.now() + budgetMs;
  const hits: string[] = [];
  let scanned = 0;
  // generated configuration lives in small derivations: etc, units, scripts (not big packages)
  const paths = list.split("\n").filter((p) => /^\/nix\/store\/[a-z0-9]{32}-(etc|unit-|.*\.(conf|json|yaml|yml|ini|env|sh|toml))/.test(p));
  const stack = [...paths];
  while (stack.length && Date.now() < deadline && scanned < 5000) {
    const p = stack.pop()!;
    const st = await ctx.exec.stat(p).catch(() => null);
    if (!st) continue;
    if (st.type === "dir") {
      for (const e of await ctx.exec.readdir(p).catch(() => [] as string[])) stack.push(`${p}/${e}`);
      continue;
    }
    if (st.type !== "file" || (st.size ?? 0) > 256 * 1024) continue;
    scanned++;
    const text = await ctx.exec.readFile(p).catch(() => null);
    if (text && PRIVATE_KEY.test(text)) hits.push(p);
  }
  return { scanned, hits, budgetMs };
}

export async function gatherFacts(ctx: Ctx, opts: { storeBudgetMs?: number } = {}): Promise<Facts> {
  const facts: Facts = {
    state: null, sshd: null, nft: null, ss: null, sysctl: new Map(), sudoers: null, nixConf: null, srv: null, owners: new Map(), credentials: null,
    credentialFiles: [], units: new Map(), systemProfile: null, analyzeSecurity: null, lsblk: null, secureBoot: null, storeSample: null, why: new Map(),
  };
  // the files and stats below in one round trip (issue 11)
  const sysctlPaths = SYSCTLS.map((k) => `/proc/sys/${k.replace(/\./g, "/")}`);
  ctx = {
    ...ctx,
    exec: await prefetchFiles(ctx.exec, [`${ctx.config.nixiDir}/state.toml`, ...sysctlPaths, "/etc/sudoers", "/etc/nix/nix.conf"], ["/srv", "/srv/.credentials", "/nix/var/nix/profiles/system"]),
  };
  try {
    facts.state = await loadState(ctx);
  } catch (e: any) {
    facts.why.set("state", e.message);
  }
  const sshdText = await runRead(ctx, facts, "sshd", ["sshd", "-T"]);
  if (sshdText !== null) {
    facts.sshd = new Map();
    for (const line of sshdText.split("\n")) {
      const [k, ...v] = line.trim().split(/\s+/);
      if (k) facts.sshd.set(k.toLowerCase(), [...(facts.sshd.get(k.toLowerCase()) ?? []), v.join(" ")]);
    }
  }
  [facts.nft, facts.ss, facts.analyzeSecurity, facts.lsblk] = await Promise.all([
    runRead(ctx, facts, "nft", ["nft", "-j", "list", "ruleset"]),
    runRead(ctx, facts, "ss", ["ss", "-t", "-l", "-n", "-p", "-H"]),
    runRead(ctx, facts, "systemd-analyze", ["systemd-analyze", "security", "--no-pager"]),
    runRead(ctx, facts, "lsblk", ["lsblk", "-J", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"]),
  ]);
  for (const k of SYSCTLS) facts.sysctl.set(k, ((await read(ctx, `/proc/sys/${k.replace(/\./g, "/")}`)) ?? null)?.trim() ?? null);
  facts.sudoers = await read(ctx, "/etc/sudoers");
  facts.nixConf = await read(ctx, "/etc/nix/nix.conf");
  facts.srv = await ctx.exec.stat("/srv").catch(() => null);
  facts.credentials = await ctx.exec.stat("/srv/.credentials").catch(() => null);
  if (facts.credentials?.type === "dir") {
    const names = (await ctx.exec.readdir("/srv/.credentials").catch(() => [] as string[])).slice(0, 200);
    const sts = names.length ? await ctx.exec.batch(names.map((n) => ({ op: "stat" as const, path: `/srv/.credentials/${n}`, optional: true }))).catch(() => []) : [];
    names.forEach((name, i) => facts.credentialFiles.push({ name, stat: sts[i]?.stat ?? null }));
  }
  // owners in one call (FileStat has no uid): `stat -c '%u %n'` names each path as it was given
  const owned = [...(facts.srv ? ["/srv"] : []), ...(facts.credentials ? ["/srv/.credentials"] : []), ...facts.credentialFiles.filter((c) => c.stat).map((c) => `/srv/.credentials/${c.name}`)];
  if (owned.length) {
    const { programPath } = await import("../../users/machine.js");
    const given = new Map(owned.map((p) => [programPath(ctx, p), p]));
    // unprivileged: no sudo rule needed; a non-root node user sees the folders' owners, not the files'
    const r = await ctx.exec.run(["stat", "-c", "%u %n", "--", ...given.keys()], { readOnly: true, timeoutMs: 10_000 }).catch(() => null);
    for (const line of (r?.stdout ?? "").split("\n")) {
      const m = /^(\d+) (.+)$/.exec(line);
      const p = m ? given.get(m[2]) : undefined;
      if (m && p) facts.owners.set(p, Number(m[1]));
    }
  }
  for (const [verb, unit] of [["is-active", "fail2ban.service"], ["is-active", "auditd.service"], ["is-enabled", "nixos-upgrade.timer"]]) {
    const r = await ctx.exec.run(["systemctl", verb, unit], { readOnly: true, timeoutMs: 5000 }).catch(() => null);
    facts.units.set(unit, r && !r.notFound ? r.stdout.trim() || (r.exitCode === 0 ? "active" : "inactive") : null);
  }
  facts.systemProfile = await ctx.exec.stat("/nix/var/nix/profiles/system").catch(() => null);
  facts.secureBoot = await runRead(ctx, facts, "secure-boot", ["mokutil", "--sb-state"]);
  facts.storeSample = await sampleStore(ctx, facts, opts.storeBudgetMs ?? 5000);
  return facts;
}
