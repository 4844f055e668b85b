// `container analyze URL`: turn a docker-compose file, a GitHub repository, or an image reference into
// the `nixi container deploy` command lines it would take. Pure apart from the injected fetch.
import { NixiError } from "../core/errors.js";
import { shQuote } from "../exec/quote.js";
import { splitWords } from "./shellwords.js";
import { ENV_KEY_RE, NAME_RE, looksSecret, parseImageRef, parsePort, formatPort, RESTART_POLICIES } from "./validate.js";
import { namedExports } from "../core/lazy-import.js";

export interface FetchResponse {
  status: number;
  text: string;
}
export type Fetcher = (url: string) => Promise<FetchResponse>;

export interface AnalyzeDeps {
  fetch: Fetcher;
  /** Base for raw files of a GitHub repository: `${base}/OWNER/REPO/HEAD/PATH`. */
  githubRawBase?: string;
}

export interface ServicePlan {
  name: string;
  image: string;
  argv: string[];
  /** The command line, POSIX-quoted. */
  command: string;
  notes: string[];
}

export interface AnalyzeResult {
  source: string;
  kind: "compose" | "github" | "image" | "run-line";
  /** File the services came from (compose file or README), when there was one. */
  file?: string;
  services: ServicePlan[];
  warnings: string[];
}

export const GITHUB_RAW_DEFAULT = "https://raw.githubusercontent.com";
export const MAX_FETCH_BYTES = 1024 * 1024;
const COMPOSE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

// ---------------------------------------------------------------------------------------------
// fetching

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Refuse plain http except to loopback (a compose file decides what runs as root). */
export function checkUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NixiError("INVALID_ARGUMENT", `${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new NixiError("INVALID_ARGUMENT", `unsupported URL scheme ${u.protocol} in ${JSON.stringify(url)}`, "use an https:// URL");
  if (u.protocol === "http:" && !LOOPBACK.test(u.hostname)) {
    throw new NixiError("INSECURE", `refusing to fetch ${u.origin} over plain http`, "use https:// (plain http is only allowed to localhost)");
  }
  if (u.username || u.password) throw new NixiError("INSECURE", "refusing a URL with credentials in it", "remove user:password@ from the URL");
  return u;
}

/** The real fetcher: global fetch, 15 s timeout, 1 MiB limit, https only except loopback (also after redirects). */
export const httpFetch: Fetcher = async (url) => {
  checkUrl(url);
  let res: Response;
  try {
    res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(15_000), headers: { "user-agent": "nixi" } });
  } catch (e: any) {
    throw new NixiError("FAILED", `could not fetch ${url}: ${e?.cause?.code ?? e?.name ?? ""} ${e?.message ?? e}`.trim());
  }
  if (res.url && res.url !== url) checkUrl(res.url);
  const len = Number(res.headers.get("content-length") ?? 0);
  if (len > MAX_FETCH_BYTES) throw new NixiError("FAILED", `${url} is larger than ${MAX_FETCH_BYTES} bytes`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_FETCH_BYTES) throw new NixiError("FAILED", `${url} is larger than ${MAX_FETCH_BYTES} bytes`);
  return { status: res.status, text: buf.toString("utf8") };
};

// ---------------------------------------------------------------------------------------------
// compose

const INTERP = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose interpolation without an environment: `${X:-d}` -> d; unresolved variables are reported. */
export function interpolate(s: string): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const value = s.replace(INTERP, (m, braced, op, arg, bare) => {
    if (m === "$$") return "$";
    const name = braced ?? bare;
    if (op === ":-" || op === "-") return arg ?? "";
    if (op === ":+" || op === "+") return "";
    unresolved.push(name);
    return m;
  });
  return { value, unresolved };
}

/** A compose service key or image -> a valid container name, or null. */
export function toName(raw: string): string | null {
  const n = raw
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .replace(/\.\.+/g, ".")
    .slice(0, 63)
    .replace(/[-.]+$/, "");
  return NAME_RE.test(n) ? n : null;
}

export function imageName(ref: string): string | null {
  const p = parseImageRef(ref);
  if (!p) return null;
  return toName(p.path.split("/").pop()!);
}

interface Draft {
  name: string;
  image: string;
  ports: string[];
  env: string[];
  secrets: string[];
  volumes: string[];
  cmd?: string[];
  dependsOn: string[];
  restart?: string;
  notes: string[];
}

function deployArgv(d: Draft): string[] {
  const argv = ["nixi", "container", "deploy", d.name, "--image", d.image];
  for (const p of d.ports) argv.push("--port", p);
  for (const e of d.env) argv.push("--env", e);
  for (const k of d.secrets) argv.push("--env-secret", k);
  for (const v of d.volumes) argv.push("--volume", v);
  if (d.cmd?.length) argv.push("--cmd", d.cmd.map(shQuote).join(" "));
  for (const x of d.dependsOn) argv.push("--depends-on", x);
  if (d.restart && d.restart !== "always") argv.push("--restart-policy", d.restart);
  return argv;
}

const plan = (d: Draft): ServicePlan => {
  const argv = deployArgv(d);
  return { name: d.name, image: d.image, argv, command: argv.map(shQuote).join(" "), notes: d.notes };
};

function strOf(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  return null;
}

function mapPorts(raw: unknown, d: Draft): void {
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw)) {
    d.notes.push("ports: not a list, ignored");
    return;
  }
  for (const p of raw) {
    let spec: string | null = null;
    if (p && typeof p === "object") {
      const o = p as any;
      const target = strOf(o.target);
      const published = strOf(o.published);
      if (!target || !published) {
        d.notes.push(`port ${JSON.stringify(target ?? o)} has no published host port: not published`);
        continue;
      }
      spec = `${o.host_ip ? `${o.host_ip}:` : ""}${published}:${target}${o.protocol ? `/${o.protocol}` : ""}`;
    } else {
      const s = strOf(p);
      if (s === null) continue;
      spec = interpolate(s).value;
      if (/^\d+(\/\w+)?$/.test(spec)) {
        d.notes.push(`port ${spec} has no host port (compose picks a random one): not published`);
        continue;
      }
    }
    const parsed = parsePort(spec);
    if (!parsed) {
      d.notes.push(`port ${JSON.stringify(spec)} is not HOST:CONTAINER (ranges are not supported): skipped`);
      continue;
    }
    d.ports.push(formatPort(parsed));
  }
}

function mapEnv(raw: unknown, d: Draft): void {
  if (raw === undefined || raw === null) return;
  const pairs: Array<[string, string | null]> = [];
  if (Array.isArray(raw)) {
    for (const e of raw) {
      const s = strOf(e);
      if (s === null) continue;
      const i = s.indexOf("=");
      pairs.push(i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + 1)]);
    }
  } else if (typeof raw === "object") {
    for (const [k, v] of Object.entries(raw as object)) pairs.push([k, v === null || v === undefined ? null : strOf(v)]);
  }
  for (const [k, v] of pairs) {
    if (!ENV_KEY_RE.test(k)) {
      d.notes.push(`environment name ${JSON.stringify(k)} is not valid: skipped`);
      continue;
    }
    if (v === null) {
      d.secrets.push(k);
      d.notes.push(`${k} takes its value from the environment of docker compose: given as --env-secret`);
      continue;
    }
    const { value, unresolved } = interpolate(v);
    if (looksSecret(k)) {
      d.secrets.push(k);
      continue;
    }
    if (unresolved.length) {
      d.secrets.push(k);
      d.notes.push(`${k} uses \${${unresolved.join("}, ${")}} from a .env file: given as --env-secret`);
      continue;
    }
    if (/[\0\n]/.test(value)) {
      d.notes.push(`${k}: value with a newline skipped`);
      continue;
    }
    d.env.push(`${k}=${value}`);
  }
}

function mapVolumes(raw: unknown, d: Draft, namedVolumes: Set<string>): void {
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw)) return;
  let anon = 0;
  for (const v of raw) {
    let source: string | undefined;
    let target: string | undefined;
    let ro = false;
    if (v && typeof v === "object") {
      const o = v as any;
      if (o.type === "tmpfs") {
        d.notes.push(`tmpfs ${o.target} skipped`);
        continue;
      }
      source = strOf(o.source) ?? undefined;
      target = strOf(o.target) ?? undefined;
      ro = !!o.read_only;
    } else {
      const s = strOf(v);
      if (s === null) continue;
      const parts = interpolate(s).value.split(":");
      if (parts.length === 1) target = parts[0];
      else {
        source = parts[0];
        target = parts[1];
        ro = (parts[2] ?? "").split(",").includes("ro");
      }
    }
    if (!target || !target.startsWith("/")) {
      d.notes.push(`volume ${JSON.stringify(v)}: no absolute container path, skipped`);
      continue;
    }
    let sub: string | null;
    if (!source) sub = toName(target.split("/").filter(Boolean).pop() ?? `volume${++anon}`) ?? `volume${++anon}`;
    else if (source.startsWith("./") || source === "." || source.startsWith("../") || (!source.startsWith("/") && !source.startsWith("~") && source.includes("/"))) {
      const rel = source.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
      if (rel === "" || rel === "." || rel.split("/").includes("..")) {
        d.notes.push(`bind mount ${source}:${target} leaves the project folder: skipped (data lives under /srv/${d.name}/)`);
        continue;
      }
      sub = rel;
    } else if (source.startsWith("/") || source.startsWith("~")) {
      d.notes.push(`host path ${source}:${target} is outside /srv/${d.name}/: skipped (mount it yourself if it is really needed)`);
      continue;
    } else {
      // a named volume: becomes a folder of its own under /srv/<name>/
      if (!namedVolumes.has(source)) d.notes.push(`named volume ${source} is not declared at the top level`);
      sub = source;
    }
    if (!sub || !/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(sub)) {
      d.notes.push(`volume ${JSON.stringify(source)}: folder name not usable, skipped`);
      continue;
    }
    d.volumes.push(`${sub}:${target}${ro ? ":ro" : ""}`);
  }
}

function mapCommand(raw: unknown, d: Draft): void {
  if (raw === undefined || raw === null) return;
  const unresolved: string[] = [];
  const interp = (x: string) => {
    const r = interpolate(x);
    unresolved.push(...r.unresolved);
    return r.value;
  };
  if (Array.isArray(raw)) d.cmd = raw.map((x) => interp(strOf(x) ?? "")).filter((x) => !x.includes("\0"));
  else if (typeof raw === "string") {
    try {
      d.cmd = splitWords(interp(raw));
    } catch {
      d.notes.push("command could not be split into words: skipped");
    }
  }
  if (unresolved.length) d.notes.push(`command uses \${${[...new Set(unresolved)].join("}, ${")}} from a .env file: replace it before deploying`);
}

function mapRestart(raw: unknown, d: Draft): void {
  const s = strOf(raw);
  if (!s) return;
  const base = s.split(":")[0];
  if ((RESTART_POLICIES as readonly string[]).includes(base)) d.restart = base;
  else d.notes.push(`restart ${JSON.stringify(s)} is not supported: using always`);
}

/** Order so that every service comes after the ones it depends on (cycles keep file order). */
function topoSort(ds: Draft[], warnings: string[]): Draft[] {
  const byName = new Map(ds.map((d) => [d.name, d]));
  const out: Draft[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (d: Draft, stack: string[]) => {
    const s = state.get(d.name);
    if (s === 2) return;
    if (s === 1) {
      warnings.push(`depends_on cycle: ${[...stack, d.name].join(" -> ")}`);
      return;
    }
    state.set(d.name, 1);
    for (const dep of d.dependsOn) {
      const x = byName.get(dep);
      if (x) visit(x, [...stack, d.name]);
    }
    state.set(d.name, 2);
    out.push(d);
  };
  for (const d of ds) visit(d, []);
  return out;
}

/** Parse compose YAML text into deploy plans. */
export async function analyzeCompose(text: string, source: string): Promise<{ services: ServicePlan[]; warnings: string[] }> {
  const { parse } = await namedExports(import("yaml"));
  let doc: any;
  try {
    doc = parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (e: any) {
    throw new NixiError("INVALID_ARGUMENT", `${source} is not valid YAML: ${String(e?.message ?? e).split("\n")[0]}`);
  }
  if (!doc || typeof doc !== "object" || !doc.services || typeof doc.services !== "object" || Array.isArray(doc.services)) {
    throw new NixiError("INVALID_ARGUMENT", `${source} has no \`services:\` table: not a compose file`);
  }
  const warnings: string[] = [];
  const namedVolumes = new Set<string>(doc.volumes && typeof doc.volumes === "object" ? Object.keys(doc.volumes) : []);
  const drafts: Draft[] = [];
  const keyToName = new Map<string, string>();
  for (const [key, svc] of Object.entries<any>(doc.services)) {
    const name = toName(typeof svc?.container_name === "string" ? svc.container_name : key);
    if (!name) {
      warnings.push(`service ${JSON.stringify(key)}: no usable container name, skipped`);
      continue;
    }
    keyToName.set(key, name);
  }
  for (const [key, svc] of Object.entries<any>(doc.services)) {
    const name = keyToName.get(key);
    if (!name) continue;
    if (!svc || typeof svc !== "object") {
      warnings.push(`service ${key}: empty, skipped`);
      continue;
    }
    const rawImage = strOf(svc.image);
    if (!rawImage) {
      warnings.push(`service ${key} builds its image from source (build:); nixi deploys published images: build and push it, then deploy it with --image`);
      continue;
    }
    const { value: image, unresolved } = interpolate(rawImage);
    if (unresolved.length || !parseImageRef(image)) {
      warnings.push(`service ${key}: image ${JSON.stringify(rawImage)} ${unresolved.length ? "needs variables from a .env file" : "is not a valid image reference"}: skipped`);
      continue;
    }
    const d: Draft = { name, image, ports: [], env: [], secrets: [], volumes: [], dependsOn: [], notes: [] };
    mapPorts(svc.ports, d);
    mapEnv(svc.environment, d);
    if (svc.env_file) d.notes.push("env_file: pass those values with --env-file FILE (they become secrets in /srv/.credentials/)");
    mapVolumes(svc.volumes, d, namedVolumes);
    mapCommand(svc.command, d);
    if (svc.entrypoint) d.notes.push("entrypoint override is not supported by `container deploy`: ignored");
    const deps = Array.isArray(svc.depends_on) ? svc.depends_on : svc.depends_on && typeof svc.depends_on === "object" ? Object.keys(svc.depends_on) : [];
    for (const dep of deps) {
      const n = keyToName.get(String(dep));
      if (n) d.dependsOn.push(n);
      else d.notes.push(`depends_on ${JSON.stringify(dep)} is not a service in this file`);
    }
    mapRestart(svc.restart, d);
    if (svc.network_mode || svc.networks) d.notes.push("networks: every nixi container joins the shared `nixi` network instead");
    d.secrets = [...new Set(d.secrets)];
    drafts.push(d);
  }
  if (drafts.length === 0 && warnings.length === 0) warnings.push("no services found");
  return { services: topoSort(drafts, warnings).map(plan), warnings };
}

// ---------------------------------------------------------------------------------------------
// `docker run` lines (README files)

const RUN_FLAGS_WITH_VALUE = new Set(["--name", "-p", "--publish", "-e", "--env", "-v", "--volume", "--restart", "--network", "--net", "-w", "--workdir", "-u", "--user", "--hostname", "-h", "--env-file", "--label", "-l", "--mount", "--entrypoint", "--memory", "-m", "--cpus", "--add-host", "--device", "--cap-add", "--cap-drop", "--pull", "--platform", "--log-driver", "--dns", "--shm-size", "--ulimit", "--tmpfs", "--health-cmd", "--expose"]);

/** `docker run ... IMAGE [CMD...]` (or podman run) -> a deploy plan. */
export function analyzeRunLine(line: string): ServicePlan | null {
  let words: string[];
  try {
    words = splitWords(line.replace(/\\\n/g, " "));
  } catch {
    return null;
  }
  while (words.length && (words[0] === "sudo" || words[0] === "$" || words[0] === "#")) words.shift();
  if (words.length < 3 || !/^(docker|podman)$/.test(words[0]) || words[1] !== "run") return null;
  const d: Draft = { name: "", image: "", ports: [], env: [], secrets: [], volumes: [], dependsOn: [], notes: [] };
  let i = 2;
  let name: string | undefined;
  const envs: string[] = [];
  const vols: string[] = [];
  for (; i < words.length; i++) {
    let w = words[i];
    if (!w.startsWith("-")) break;
    let val: string | undefined;
    const eq = w.indexOf("=");
    if (w.startsWith("--") && eq > 0) {
      val = w.slice(eq + 1);
      w = w.slice(0, eq);
    } else if (RUN_FLAGS_WITH_VALUE.has(w)) val = words[++i];
    else if (/^-[a-z]$/i.test(w) === false && /^-[a-zA-Z]{2,}$/.test(w)) continue; // -it, -dit
    if (val === undefined) continue;
    switch (w) {
      case "--name":
        name = val;
        break;
      case "-p":
      case "--publish":
        mapPorts([val], d);
        break;
      case "-e":
      case "--env":
        envs.push(val);
        break;
      case "-v":
      case "--volume":
        vols.push(val);
        break;
      case "--restart":
        mapRestart(val, d);
        break;
      case "--env-file":
        d.notes.push("--env-file: pass those values with --env-file FILE");
        break;
    }
  }
  const image = words[i];
  if (!image || !parseImageRef(image)) return null;
  d.image = image;
  d.name = (name && toName(name)) || imageName(image) || "app";
  mapEnv(envs, d);
  mapVolumes(vols, d, new Set());
  if (words.length > i + 1) d.cmd = words.slice(i + 1);
  return plan(d);
}

/** Lines of `docker run` commands in a README (with backslash continuations joined). */
export function runLinesIn(text: string): string[] {
  const joined = text.replace(/\\\r?\n\s*/g, " ");
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^\$\s+/, ""))
    .filter((l) => /^(sudo\s+)?(docker|podman)\s+run\s/.test(l));
}

// ---------------------------------------------------------------------------------------------
// entry

/** https://github.com/OWNER/REPO[/tree/REF[/DIR]] -> parts; a /blob/ URL -> raw file URL. */
export function githubTarget(u: URL, rawBase: string): { owner: string; repo: string; ref: string; dir: string } | { raw: string } | null {
  if (u.hostname !== "github.com" && u.hostname !== "www.github.com") return null;
  const parts = u.pathname.split("/").filter(Boolean);
  if (parts.length < 2) return null;
  const [owner, repoRaw, kind, ref, ...rest] = parts;
  const repo = repoRaw.replace(/\.git$/, "");
  const ok = (s: string) => /^[A-Za-z0-9_.-]+$/.test(s) && s !== "." && s !== "..";
  if (!ok(owner) || !ok(repo)) return null;
  if (kind === "blob" && ref && rest.length) return { raw: `${rawBase}/${owner}/${repo}/${ref}/${rest.join("/")}` };
  if (kind === "tree" && ref) return { owner, repo, ref, dir: rest.join("/") };
  if (kind === undefined) return { owner, repo, ref: "HEAD", dir: "" };
  return null;
}

export async function analyze(target: string, deps: AnalyzeDeps): Promise<AnalyzeResult> {
  const t = target.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    if (parseImageRef(t)) {
      const name = imageName(t) ?? "app";
      const d: Draft = { name, image: t, ports: [], env: [], secrets: [], volumes: [], dependsOn: [], notes: ["add --port HOST:CONTAINER and --volume SUBDIR:PATH as the image's documentation says"] };
      return { source: t, kind: "image", services: [plan(d)], warnings: [] };
    }
    throw new NixiError("INVALID_ARGUMENT", `${JSON.stringify(t)} is neither a URL nor an image reference`, "give a compose file URL, a GitHub repository URL, or an image like nginx:1.27");
  }
  const u = checkUrl(t);
  const rawBase = (deps.githubRawBase ?? GITHUB_RAW_DEFAULT).replace(/\/+$/, "");
  const gh = githubTarget(u, rawBase);
  if (gh && "owner" in gh) {
    const prefix = `${rawBase}/${gh.owner}/${gh.repo}/${gh.ref}/${gh.dir ? gh.dir + "/" : ""}`;
    for (const f of COMPOSE_NAMES) {
      const r = await deps.fetch(prefix + f);
      if (r.status === 200) {
        const { services, warnings } = await analyzeCompose(r.text, f);
        return { source: t, kind: "github", file: f, services, warnings };
      }
    }
    const warnings: string[] = [];
    for (const f of ["README.md", "README", "readme.md"]) {
      const r = await deps.fetch(prefix + f);
      if (r.status !== 200) continue;
      const plans = runLinesIn(r.text).map(analyzeRunLine).filter((p): p is ServicePlan => p !== null);
      if (plans.length) return { source: t, kind: "github", file: f, services: dedupe(plans), warnings };
      break;
    }
    const df = await deps.fetch(prefix + "Dockerfile");
    if (df.status === 200) {
      // only plain port numbers go into the suggested command line (EXPOSE $(...) must not)
      const expose = [...df.text.matchAll(/^\s*EXPOSE\s+(.+)$/gim)].flatMap((m) => m[1].trim().split(/\s+/)).filter((p) => /^\d{1,5}(\/(tcp|udp))?$/i.test(p));
      warnings.push(
        `${gh.owner}/${gh.repo} has a Dockerfile but no compose file or published run line: build and push the image, then \`nixi container deploy ${toName(gh.repo) ?? "app"} --image REGISTRY/IMAGE${expose.length ? ` --port HOST:${expose[0].split("/")[0]}` : ""}\``,
      );
      return { source: t, kind: "github", file: "Dockerfile", services: [], warnings };
    }
    throw new NixiError("NOT_FOUND", `found no compose file, README run line or Dockerfile in ${gh.owner}/${gh.repo}`, `looked for ${COMPOSE_NAMES.join(", ")}, README.md, Dockerfile`);
  }
  const url = gh && "raw" in gh ? gh.raw : t;
  const r = await deps.fetch(url);
  if (r.status !== 200) throw new NixiError("NOT_FOUND", `${url} answered HTTP ${r.status}`);
  const { services, warnings } = await analyzeCompose(r.text, url);
  return { source: t, kind: "compose", file: url, services, warnings };
}

function dedupe(plans: ServicePlan[]): ServicePlan[] {
  const seen = new Set<string>();
  return plans.filter((p) => (seen.has(p.name) ? false : (seen.add(p.name), true)));
}
