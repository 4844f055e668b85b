// Secrets for containers: the value comes from stdin, a masked prompt or --env-file and lands only in
// /srv/.credentials/<name>.env (mode 600): never in stdout, stderr, --json, state.toml, a .nix file,
// nixi's bookkeeping, or the argv of any program nixi runs.
import { beforeAll, describe, expect, test } from "vitest";
import { mkdtemp, readFile, readdir, lstat, stat, writeFile, chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, scriptedPrompter } from "../helpers/run.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
// an initialised machine (configuration.nix imports ./nixi): a rebuild refuses otherwise
const INITIALISED_TREE = ["etc", "etc/nixos", "etc/nixos/configuration.nix"];

let shims: string;
let log: string;

/** Every file under dir except the allowed ones, with content. */
async function allFiles(dir: string, skip: string[]): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d)) {
      const p = join(d, e);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else if (st.isFile() && !skip.includes(p)) out.push([p, await readFile(p, "utf8")]);
    }
  };
  await walk(dir);
  return out;
}

beforeAll(async () => {
  // Logging shims for programs a container change might run; the lead's fakes log nixos-rebuild/systemctl.
  shims = tempDir("nixi-ct-shims-");
  log = join(shims, "argv.log");
  for (const prog of ["podman", "docker", "git", "sudo"]) {
    await writeFile(join(shims, prog), `#!/bin/sh\nprintf '%s' "${prog}" >> "$NIXI_FAKE_LOG"; for a in "$@"; do printf ' %s' "$a" >> "$NIXI_FAKE_LOG"; done; echo >> "$NIXI_FAKE_LOG"\nexit 0\n`);
    await chmod(join(shims, prog), 0o755);
  }
});

const env = () => ({ NIXI_FAKE_LOG: log });
const path = () => [shims, FAKES];

async function expectNowhere(root: string, secret: string, name: string, outputs: string[]) {
  for (const o of outputs) expect(o).not.toContain(secret);
  const creds = join(root, "srv/.credentials", `${name}.env`);
  for (const [p, content] of await allFiles(root, [creds])) expect(content, p).not.toContain(secret);
  const argvLog = await readFile(log, "utf8").catch(() => "");
  expect(argvLog).not.toContain(secret);
}

describe("container secrets", () => {
  test("--env-secret fed on stdin: only the credentials file (mode 600) holds it", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    const secret = "S3cr3t-Value-42!";
    const r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --env POSTGRES_DB=app --backend podman --yes --json --root ${root}`, { stdin: secret + "\n", env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ secretEnv: ["DB_PASSWORD"], credentialsFile: "/srv/.credentials/db.env" });
    const credsFile = r.json.plan.files.find((f: any) => f.path === "/srv/.credentials/db.env");
    expect(credsFile).toMatchObject({ secret: true, action: "create" });
    expect(credsFile.diff).toBeUndefined();
    // the rebuild really ran (fake nixos-rebuild logged it) and nothing got the secret on argv
    expect(await readFile(log, "utf8")).toMatch(/^nixos-rebuild switch$/m);
    const creds = join(root, "srv/.credentials/db.env");
    expect((await stat(creds)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, "srv/.credentials"))).mode & 0o777).toBe(0o700);
    expect(await readFile(creds, "utf8")).toMatch(new RegExp(`^DB_PASSWORD=${secret.replace(/[!]/g, "\\!")}$`, "m"));
    const nix = await readFile(join(root, "etc/nixos/nixi/containers.nix"), "utf8");
    expect(nix).toContain('"/srv/.credentials/db.env"');
    await expectNowhere(root, secret, "db", [r.stdout, r.stderr, JSON.stringify(r.json)]);
  });

  test("human output with -v (diffs shown) never shows the value", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    const secret = "human-visible-NOT-9";
    const r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --backend podman --yes -v --root ${root}`, { stdin: secret, env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/secret DB_PASSWORD -> \/srv\/\.credentials\/db\.env \(mode 600\)/);
    await expectNowhere(root, secret, "db", [r.stdout, r.stderr]);
  });

  test("--dry-run reads the value but writes nothing and shows no content", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    const secret = "dry-run-secret-77";
    const r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --backend podman --dry-run --json -v --root ${root}`, { stdin: secret, env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.plan.files.map((f: any) => f.path)).toContain("/srv/.credentials/db.env");
    expect((await readdir(root, { recursive: true })).sort()).toEqual(INITIALISED_TREE);
    await expectNowhere(root, secret, "db", [r.stdout, r.stderr]);
  });

  test("interactive: a masked prompt asks for each --env-secret", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    const prompter = scriptedPrompter({ password: ["prompted-pw-123", "prompted-key-456"] });
    const r = await run(`container deploy app --image ghcr.io/acme/app:2 --env-secret DB_PASSWORD --env-secret API_KEY --backend podman --yes --no-rebuild --root ${root}`, { tty: true, prompter, env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(prompter.asked).toEqual(["password: Value for DB_PASSWORD (hidden)", "password: Value for API_KEY (hidden)"]);
    const creds = await readFile(join(root, "srv/.credentials/app.env"), "utf8");
    expect(creds).toContain("DB_PASSWORD=prompted-pw-123\n");
    expect(creds).toContain("API_KEY=prompted-key-456\n");
    for (const s of ["prompted-pw-123", "prompted-key-456"]) await expectNowhere(root, s, "app", [r.stdout, r.stderr]);
  });

  test("--env-file FILE and --env-file - (stdin); several keys from stdin as KEY=VALUE lines", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    const f = join(tempDir("nixi-ct-envf-"), "secrets.env");
    await writeFile(f, "# comment\nDB_PASSWORD=from-file-pw-1\nexport API_TOKEN='from-file-tok-2'\n");
    let r = await run(`container deploy a --image nginx --env-file ${f} --backend podman --yes --no-rebuild --json --root ${root}`, { env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.secretEnv).toEqual(["API_TOKEN", "DB_PASSWORD"]);
    expect(await readFile(join(root, "srv/.credentials/a.env"), "utf8")).toContain("API_TOKEN=from-file-tok-2\nDB_PASSWORD=from-file-pw-1\n");
    r = await run(`container deploy b --image nginx --env-secret ONLY --env-file - --yes --no-rebuild --root ${root}`, { stdin: "OTHER=ignored-value-x\nONLY=only-this-one-3\n", env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(join(root, "srv/.credentials/b.env"), "utf8")).toMatch(/\nONLY=only-this-one-3\n$/);
    r = await run(`container deploy c --image nginx --env-secret K1 --env-secret K2 --yes --no-rebuild --root ${root}`, { stdin: "K1=multi-one-4\nK2=multi-two-5\n", env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(join(root, "srv/.credentials/c.env"), "utf8")).toContain("K1=multi-one-4\nK2=multi-two-5\n");
    for (const s of ["from-file-pw-1", "from-file-tok-2", "only-this-one-3", "ignored-value-x", "multi-one-4", "multi-two-5"]) {
      for (const [p, content] of await allFiles(root, [join(root, "srv/.credentials/a.env"), join(root, "srv/.credentials/b.env"), join(root, "srv/.credentials/c.env")])) expect(content, p).not.toContain(s);
    }
  });

  test("update adds a secret and keeps the existing ones; --remove-secret drops one", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    let r = await run(`container deploy db --image postgres:16 --env-secret A_PASSWORD --backend podman --yes --no-rebuild --root ${root}`, { stdin: "first-secret-1", env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    r = await run(`container update db --env-secret B_TOKEN --yes --no-rebuild --json --root ${root}`, { stdin: "second-secret-2", env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.secretEnv).toEqual(["A_PASSWORD", "B_TOKEN"]);
    const creds = join(root, "srv/.credentials/db.env");
    expect(await readFile(creds, "utf8")).toContain("A_PASSWORD=first-secret-1\nB_TOKEN=second-secret-2\n");
    expect((await stat(creds)).mode & 0o777).toBe(0o600);
    r = await run(`container update db --remove-secret A_PASSWORD --yes --no-rebuild --root ${root}`, { env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(creds, "utf8")).not.toContain("first-secret-1");
    await expectNowhere(root, "second-secret-2", "db", [r.stdout, r.stderr]);
  });

  test("bad secret input is a usage error that never echoes the value", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    let r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --yes --no-rebuild --root ${root}`, { stdin: "line-one-secret\nline-two-secret\n", env: env(), path: path() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/line break/);
    expect(r.stdout + r.stderr).not.toContain("line-one-secret");
    r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --yes --no-rebuild --root ${root}`, { stdin: "", env: env(), path: path() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/empty/);
    r = await run(`container deploy db --image postgres:16 --env-secret DB_PASSWORD --yes --no-input --no-rebuild --root ${root}`, { tty: true, env: env(), path: path() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/stdin|--env-file/);
    expect((await readdir(root, { recursive: true })).sort()).toEqual(INITIALISED_TREE);
  });

  test("a secret-looking plain --env is an insecure request: refused pointing at --env-secret, accepted with --insecure", async () => {
    const root = initialisedRoot("nixi-ct-sec-");
    await mkdir(root, { recursive: true });
    const refused = await run(`container deploy db --image postgres:16 --env DB_PASSWORD=visible --backend podman --yes --no-rebuild --json --root ${root}`, { env: env(), path: path() });
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(refused.json.error.details.findings[0].alternative).toMatch(/--env-secret DB_PASSWORD/);
    const r = await run(`container deploy db --image postgres:16 --env DB_PASSWORD=visible --backend podman --insecure --yes --no-rebuild --json --root ${root}`, { env: env(), path: path() });
    expect(r.exitCode, r.stderr).toBe(0);
  });
});
