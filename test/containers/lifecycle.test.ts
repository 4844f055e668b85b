// deploy / update / remove as declarative changes through the real CLI: plans, confirmation, firewall
// in the same plan, depends_on rules, remove keeping data, --purge with typed confirmation or --yes.
import { describe, expect, test } from "vitest";
import { mkdtemp, readFile, writeFile, mkdir, readdir, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, scriptedPrompter } from "../helpers/run.js";
import { evalModule } from "../helpers/nix.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
const newRoot = () => initialisedRoot("nixi-ct-life-");
const state = (root: string) => readFile(join(root, "etc/nixos/nixi/state.toml"), "utf8");
const nixFile = (root: string) => join(root, "etc/nixos/nixi/containers.nix");

describe("deploy", () => {
  test("one plan, one rebuild: container + firewall together; a second identical deploy changes nothing", async () => {
    const root = await newRoot();
    const log = join(tempDir("nixi-ct-log-"), "calls.log");
    const cmd = `container deploy web --image nginx:1.27 --port 8080:80 --port 8443:443 --public --open-firewall --backend podman --yes --json --root ${root}`;
    let r = await run(cmd, { path: [FAKES], env: { NIXI_FAKE_LOG: log } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.changed).toBe(true);
    expect(r.json.plan.summary).toEqual(expect.arrayContaining(["open firewall ports 8080/tcp, 8443/tcp"]));
    expect(r.json.plan.files.map((f: any) => f.path).sort()).toEqual(["/etc/nixos/nixi/containers.nix", "/etc/nixos/nixi/default.nix", "/etc/nixos/nixi/firewall.nix", "/etc/nixos/nixi/state.toml"]);
    expect((await readFile(log, "utf8")).match(/^nixos-rebuild /gm)).toHaveLength(1);
    r = await run(cmd, { path: [FAKES], env: { NIXI_FAKE_LOG: log } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.changed).toBe(false);
    expect((await readFile(log, "utf8")).match(/^nixos-rebuild /gm)).toHaveLength(1);
  });

  test("without --yes and without a terminal: exit 3, nothing written; --dry-run: exit 0, nothing written", async () => {
    const root = await newRoot();
    let r = await run(`container deploy web --image nginx:1.27 --root ${root}`);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/--yes/);
    r = await run(`container deploy web --image nginx:1.27 --dry-run --root ${root}`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/deploy container web/);
    expect((await readdir(root, { recursive: true })).sort()).toEqual(["etc", "etc/nixos", "etc/nixos/configuration.nix"]);
  });

  test("usage errors name the bad value (exit 2)", async () => {
    const root = await newRoot();
    const cases: Array<[string, RegExp]> = [
      ["container deploy Web --image nginx", /Web/],
      ["container deploy web --image 'nginx;id'", /nginx;id/],
      ["container deploy web --image nginx --port 99999:80", /99999:80/],
      ["container deploy web --image nginx --env 1BAD=x", /1BAD=x/],
      ["container deploy web --image nginx --env-secret 'A-B'", /A-B/],
      ["container deploy web --image nginx --restart-policy sometimes", /sometimes/],
      ["container deploy web", /--image/],
      ["container deploy web --image nginx --depends-on nothere", /nothere/],
      ["container deploy web --image nginx --depends-on web", /itself/],
      ["container deploy web --image nginx --port 80:80 --port 80:8080", /80\/tcp/],
      ["container deploy web --image nginx --cmd \"echo 'unterminated\"", /unterminated/],
    ];
    for (const [cmd, re] of cases) {
      const r = await run(`${cmd} --yes --no-rebuild --root ${root}`);
      expect(r.exitCode, cmd + "\n" + r.stderr).toBe(2);
      expect(r.stderr, cmd).toMatch(re);
    }
    expect((await readdir(root, { recursive: true })).sort()).toEqual(["etc", "etc/nixos", "etc/nixos/configuration.nix"]);
  });

  test("depends_on, --cmd words and restart policy reach containers.nix", async () => {
    const root = await newRoot();
    expect((await run(`container deploy db --image postgres:16 --backend docker --yes --no-rebuild --root ${root}`)).exitCode).toBe(0);
    const r = await run(["container", "deploy", "web", "--image", "nginx:1.27", "--depends-on", "db", "--cmd", `nginx -g 'daemon off;' "$(id)"`, "--restart-policy", "no", "--yes", "--no-rebuild", "--root", root]);
    expect(r.exitCode, r.stderr).toBe(0);
    const v = await evalModule(nixFile(root), { resolve: true });
    expect(v.virtualisation["oci-containers"].backend).toBe("docker");
    expect(v.virtualisation["oci-containers"].containers.web).toMatchObject({ dependsOn: ["db"], cmd: ["nginx", "-g", "daemon off;", "$(id)"] });
    expect(v.systemd.services["docker-web"].serviceConfig.Restart).toBe("no");
    // a second container cannot switch the backend
    const r2 = await run(`container deploy x --image nginx --backend podman --yes --no-rebuild --root ${root}`);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/docker/);
  });
});

describe("hostile values through the CLI", () => {
  test("quotes, ${, newlines and ; in env values and --cmd stay inert Nix strings", async () => {
    const root = await newRoot();
    const evil = `a"b\\c \${builtins.abort "x"} ''\${y}'' $(reboot); rm -rf /\nsecond line`;
    const r = await run(["container", "deploy", "web", "--image", "nginx:1.27", "--env", `EVIL=${evil}`, "--cmd", `sh -c 'echo "\${HOME}"; id' "$(reboot)"`, "--backend", "podman", "--yes", "--no-rebuild", "--root", root]);
    expect(r.exitCode, r.stderr).toBe(0);
    const v = await evalModule(nixFile(root), { resolve: true });
    const web = v.virtualisation["oci-containers"].containers.web;
    expect(web.environment.EVIL).toBe(evil);
    expect(web.cmd).toEqual(["sh", "-c", 'echo "${HOME}"; id', "$(reboot)"]);
  });
});

describe("update", () => {
  test("image, env, ports and firewall follow; unknown container is exit 1", async () => {
    const root = await newRoot();
    expect((await run(`container deploy web --image nginx:1.27 --port 8080:80 --public --open-firewall --env A=1 --backend podman --yes --no-rebuild --root ${root}`)).exitCode).toBe(0);
    let r = await run(`container update web --image nginx:1.28 --env B=2 --unset-env A --remove-port 8080:80 --port 9090:80 --public --open-firewall --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.plan.summary.join("\n")).toMatch(/image nginx:1\.27 -> nginx:1\.28[\s\S]*close firewall port 8080\/tcp[\s\S]*open firewall port 9090\/tcp/);
    const s = await state(root);
    expect(s).toContain('image = "nginx:1.28"');
    expect(s).toMatch(/\[firewall\]\ntcp = \[ 9090 \]/);
    expect(s).not.toContain("A = ");
    r = await run(`container update nope --image nginx --yes --no-rebuild --root ${root}`);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/nope/);
  });

  test("--pull plans a pull (and a restart when the tag is unchanged)", async () => {
    const root = await newRoot();
    expect((await run(`container deploy web --image nginx:1.27 --backend podman --yes --no-rebuild --root ${root}`)).exitCode).toBe(0);
    const r = await run(`container update web --pull --dry-run --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.plan.commands).toEqual(["podman pull nginx:1.27", "systemctl try-restart podman-web.service (same tag, newer image)"]);
  });
});

describe("remove", () => {
  async function withData() {
    const root = await newRoot();
    const r = await run(`container deploy web --image nginx:1.27 --port 8080:80 --public --open-firewall --volume html:/usr/share/nginx/html --env-secret API_TOKEN --backend podman --yes --no-rebuild --root ${root}`, { stdin: "tok-remove-test-1" });
    expect(r.exitCode, r.stderr).toBe(0);
    await writeFile(join(root, "srv/web/html/index.html"), "<h1>hi</h1>");
    await mkdir(join(root, "srv/web/html/img"));
    await writeFile(join(root, "srv/web/html/img/a.png"), "png");
    return root;
  }

  test("keeps /srv/<name>/ and says so; closes the ports it opened; containers.nix goes away", async () => {
    const root = await withData();
    const r = await run(`container remove web --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toEqual({ name: "web", removed: true, purged: false, deleted: [], kept: ["/srv/web", "/srv/.credentials/web.env"] });
    expect(r.json.plan.summary.join("\n")).toMatch(/close firewall port 8080\/tcp/);
    expect(existsSync(join(root, "srv/web/html/index.html"))).toBe(true);
    expect(existsSync(nixFile(root))).toBe(false);
    expect(await state(root)).not.toContain("[firewall]");
    expect(await state(root)).not.toContain("[containers.containers");
    expect(await state(root)).toContain('backend = "podman"');
  });

  test("--purge --yes deletes exactly /srv/<name>/ and the credentials file, and lists them", async () => {
    const root = await withData();
    await mkdir(join(root, "srv/other"), { recursive: true });
    const r = await run(`container remove web --purge --yes --json --root ${root}`, { path: [FAKES] });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data.deleted).toEqual([{ path: "/srv/web", files: 2, folders: 2 }, { path: "/srv/.credentials/web.env" }]);
    expect(r.json.plan.files.filter((f: any) => f.action === "delete").map((f: any) => f.path)).toEqual(expect.arrayContaining(["/srv/web", "/srv/.credentials/web.env"]));
    expect(existsSync(join(root, "srv/web"))).toBe(false);
    expect(existsSync(join(root, "srv/.credentials/web.env"))).toBe(false);
    expect(existsSync(join(root, "srv/other"))).toBe(true);
  });

  test("--purge interactively requires typing the name; a wrong name changes nothing (exit 3)", async () => {
    const root = await withData();
    let prompter = scriptedPrompter({ input: ["wev"] });
    let r = await run(`container remove web --purge --no-rebuild --root ${root}`, { tty: true, prompter });
    expect(r.exitCode).toBe(3);
    expect(prompter.asked[0]).toMatch(/^input: .*Type the container name \(web\)/);
    expect(existsSync(join(root, "srv/web/html/index.html"))).toBe(true);
    expect(await state(root)).toContain("[containers.containers.web]");
    prompter = scriptedPrompter({ input: ["web"], confirm: [true] });
    r = await run(`container remove web --purge --root ${root}`, { tty: true, prompter, path: [FAKES] });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(prompter.asked).toHaveLength(2);
    expect(existsSync(join(root, "srv/web"))).toBe(false);
  });

  test("--purge without --yes and without a terminal: exit 3, nothing deleted", async () => {
    const root = await withData();
    const r = await run(`container remove web --purge --root ${root}`);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/DELETE \/srv\/web\//);
    expect(existsSync(join(root, "srv/web/html/index.html"))).toBe(true);
  });

  test("a container others depend on cannot be removed; unknown names are exit 1", async () => {
    const root = await newRoot();
    expect((await run(`container deploy db --image postgres:16 --backend podman --yes --no-rebuild --root ${root}`)).exitCode).toBe(0);
    expect((await run(`container deploy web --image nginx --depends-on db --yes --no-rebuild --root ${root}`)).exitCode).toBe(0);
    let r = await run(`container remove db --yes --no-rebuild --root ${root}`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/web depends on db/);
    r = await run(`container remove ghost --yes --no-rebuild --root ${root}`);
    expect(r.exitCode).toBe(1);
  });

  test("purging a /srv/<name> that is a symlink is refused (exit 4)", async () => {
    const root = await newRoot();
    await mkdir(join(root, "srv"), { recursive: true });
    await mkdir(join(root, "important"));
    await writeFile(join(root, "important/keep"), "x");
    const { symlink } = await import("node:fs/promises");
    await symlink("/important", join(root, "srv/evil"));
    const r = await run(`container remove evil --purge --yes --no-rebuild --root ${root}`);
    expect(r.exitCode).toBe(4);
    expect((await stat(join(root, "important/keep"))).isFile()).toBe(true);
  });
});
