// containers.nix: rendered from state, parsed and evaluated by the real nix-instantiate, option paths
// checked against ../shared/nixos (curated list: every path nixi writes must be there).
import { describe, expect, test } from "vitest";
import { mkdtemp, writeFile, readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderContainers, systemdRestart } from "../../src/nixos/modules/containers.js";
import { renderModule } from "../../src/nixos/render.js";
import { evalModule, evalDefaultNix, parseNix } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";
import { run } from "../helpers/run.js";
import type { ContainersSection } from "../../src/containers/state.js";
import { tempDir } from "../helpers/tree.js";

const CURATED = Object.keys(JSON.parse(readFileSync(new URL("../../../shared/nixos/nixos-options.json", import.meta.url), "utf8")));
const curatedRe = CURATED.map((p) => new RegExp("^" + p.split(".").map((s) => (s === "<name>" ? "[^.]+" : s.replace(/[-]/g, "\\-"))).join("\\.") + "$"));

/** Every option path in an evaluated module must be one of the curated options nixi may write. */
function nonCuratedPaths(v: any, prefix: string[] = []): string[] {
  const here = prefix.join(".");
  if (prefix.length && curatedRe.some((re) => re.test(here))) return [];
  if (!v || typeof v !== "object" || Array.isArray(v)) return [here];
  return Object.entries(v).flatMap(([k, x]) => nonCuratedPaths(x, [...prefix, k]));
}

async function evalSection(sec: ContainersSection): Promise<{ raw: any; resolved: any; file: string }> {
  const body = renderContainers(sec);
  expect(body).not.toBeNull();
  const dir = tempDir("nixi-ct-area-");
  const file = join(dir, "containers.nix");
  await writeFile(file, renderModule(body!));
  await parseNix(file);
  return { raw: await evalModule(file), resolved: await evalModule(file, { resolve: true }), file };
}

const HOSTILE = `"; rm -rf / #\${builtins.abort "pwned"}\n''\${x}'' \\ $(id) \`id\``;

describe("containers.nix", () => {
  test("podman: oci-containers entries, nixi network unit, tmpfiles, restart mapping", async () => {
    const { raw, resolved } = await evalSection({
      backend: "podman",
      containers: {
        web: { image: "nginx:1.27", ports: ["8080:80/tcp", "127.0.0.1:8443:443/tcp"], environment: { TZ: "UTC" }, volumes: ["html:/usr/share/nginx/html:ro", "conf/nginx:/etc/nginx"], depends_on: ["db"], cmd: ["nginx", "-g", "daemon off;"] },
        db: { image: "postgres:16", secret_env: ["POSTGRES_PASSWORD"], volumes: ["data:/var/lib/postgresql/data"], restart: "on-failure" },
      },
    });
    expect(checkOptionPaths(raw)).toEqual([]);
    expect(nonCuratedPaths(raw)).toEqual([]);
    const oci = resolved.virtualisation["oci-containers"];
    expect(oci.backend).toBe("podman");
    expect(oci.containers.web).toEqual({
      image: "nginx:1.27",
      ports: ["8080:80/tcp", "127.0.0.1:8443:443/tcp"],
      environment: { TZ: "UTC" },
      volumes: ["/srv/web/html:/usr/share/nginx/html:ro", "/srv/web/conf/nginx:/etc/nginx"],
      cmd: ["nginx", "-g", "daemon off;"],
      dependsOn: ["db"],
      extraOptions: ["--network=nixi"],
    });
    expect(oci.containers.db).toEqual({
      image: "postgres:16",
      environmentFiles: ["/srv/.credentials/db.env"],
      volumes: ["/srv/db/data:/var/lib/postgresql/data"],
      extraOptions: ["--network=nixi"],
    });
    const svc = resolved.systemd.services;
    expect(svc["nixi-network"]).toMatchObject({
      serviceConfig: { Type: "oneshot", RemainAfterExit: true },
      path: ["<pkg:podman>"],
      wantedBy: ["multi-user.target", "podman-db.service", "podman-web.service"],
      script: "podman network inspect nixi >/dev/null 2>&1 || podman network create nixi\n",
    });
    // each container with volumes re-checks its folders before it starts (test/trust-sec/nested-volumes.e2e.test.ts)
    const check = (s: string) => [expect.stringMatching(new RegExp(`^/bin/sh -c "if \\[ -L /srv/${s} \\]`))];
    expect(svc["podman-web"]).toEqual({ after: ["nixi-network.service"], serviceConfig: { ExecStartPre: check("web") } });
    expect(svc["podman-db"]).toEqual({ after: ["nixi-network.service"], serviceConfig: { Restart: "on-failure", ExecStartPre: check("db") } });
    // the override really is lib.mkForce (priority 50), since oci-containers sets Restart=always itself
    expect(raw.systemd.services["podman-db"].serviceConfig.Restart).toEqual({ _type: "override", priority: 50, content: "on-failure" });
    expect(resolved.systemd.tmpfiles.rules).toEqual([
      "d /srv/.credentials 0700 root root -",
      "d /srv/db 0750 nixi nixi -",
      "d /srv/db/data 0750 nixi nixi -",
      "d /srv/web 0750 nixi nixi -",
      "d /srv/web/conf 0750 nixi nixi -",
      "d /srv/web/conf/nginx 0750 nixi nixi -",
      "d /srv/web/html 0750 nixi nixi -",
    ]);
  });

  test("docker backend: docker units, docker network command, ordering after docker.service", async () => {
    const { raw, resolved } = await evalSection({ backend: "docker", data_owner: "svc", containers: { app: { image: "ghcr.io/acme/app:2", restart: "no" } } });
    expect(checkOptionPaths(raw)).toEqual([]);
    expect(nonCuratedPaths(raw)).toEqual([]);
    expect(resolved.virtualisation["oci-containers"].backend).toBe("docker");
    expect(resolved.systemd.services["docker-app"]).toEqual({ after: ["nixi-network.service"], serviceConfig: { Restart: "no" } });
    expect(resolved.systemd.services["nixi-network"]).toMatchObject({ path: ["<pkg:docker>"], after: ["docker.service", "docker.socket"], wantedBy: ["multi-user.target", "docker-app.service"] });
    expect(resolved.systemd.services["nixi-network"].script).toContain("docker network create nixi");
    expect(resolved.systemd.tmpfiles.rules).toEqual(["d /srv/app 0750 svc svc -"]);
  });

  test("the curated-path check itself flags options nixi must not write", () => {
    expect(nonCuratedPaths({ systemd: { services: { x: { requires: ["a.service"], after: [] } } }, virtualisation: { "oci-containers": { containers: { a: { image: "x", "log-driver": "journald" } } } } } as any)).toEqual([
      "systemd.services.x.requires",
      "virtualisation.oci-containers.containers.a.log-driver",
    ]);
  });

  test("restart policy mapping", () => {
    expect([systemdRestart("always"), systemdRestart("unless-stopped"), systemdRestart("on-failure"), systemdRestart("no"), systemdRestart(undefined)]).toEqual([null, null, "on-failure", "no", null]);
  });

  test("hostile strings render as inert Nix strings and come back byte for byte", async () => {
    const { resolved } = await evalSection({ containers: { web: { image: "nginx", environment: { EVIL: HOSTILE }, cmd: [HOSTILE, "${x}"] } } });
    const web = resolved.virtualisation["oci-containers"].containers.web;
    expect(web.environment.EVIL).toBe(HOSTILE);
    expect(web.cmd).toEqual([HOSTILE, "${x}"]);
  });

  test("empty section renders no file", () => {
    expect(renderContainers(undefined)).toBeNull();
    expect(renderContainers({ backend: "podman", containers: {} })).toBeNull();
  });

  test.each([
    ["bad name (tmpfiles injection)", { "x -\nL+ /etc/shadow": { image: "nginx" } }, "STATE_INVALID"],
    ["bad image", { web: { image: "nginx; id" } }, "STATE_INVALID"],
    ["volume leaving /srv", { web: { image: "nginx", volumes: ["../../etc:/x"] } }, "PATH_OUTSIDE_SRV"],
    ["absolute volume", { web: { image: "nginx", volumes: ["/etc:/x"] } }, "PATH_OUTSIDE_SRV"],
    ["bad env key", { web: { image: "nginx", environment: { "A B": "x" } } }, "STATE_INVALID"],
    ["bad port", { web: { image: "nginx", ports: ["80"] } }, "STATE_INVALID"],
  ])("a hand-edited state.toml with a %s is refused at render time", (_what, containers, code) => {
    expect(() => renderContainers({ containers: containers as any })).toThrow(expect.objectContaining({ code }));
  });

  test("through the CLI: deploy + --open-firewall; the whole nixi folder evaluates and merges", async () => {
    const root = tempDir("nixi-ct-cli-");
    let r = await run(`container deploy db --image postgres:16 --volume data:/var/lib/postgresql/data --restart-policy on-failure --yes --no-rebuild --backend podman --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    r = await run(`container deploy web --image nginx:1.27 --port 8080:80 --port 127.0.0.1:9000:9000/udp --depends-on db --public --open-firewall --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.data).toMatchObject({ name: "web", backend: "podman", unit: "podman-web.service", firewallOpened: ["8080/tcp"] });
    expect(r.json.warnings.join("\n")).toMatch(/loopback/);
    const dir = join(root, "etc/nixos/nixi");
    const merged = await evalDefaultNix(dir, { resolve: true });
    expect(checkOptionPaths(await evalDefaultNix(dir))).toEqual([]);
    expect(nonCuratedPaths(await evalModule(join(dir, "containers.nix")))).toEqual([]);
    expect(merged.networking.firewall.allowedTCPPorts).toEqual([8080]);
    expect(merged.virtualisation["oci-containers"].containers.web.dependsOn).toEqual(["db"]);
    expect(merged.systemd.services["podman-db"].serviceConfig.Restart).toBe("on-failure");
    const state = await readFile(join(dir, "state.toml"), "utf8");
    expect(state).toContain('firewall_ports = [ "8080/tcp" ]');
  });
});
