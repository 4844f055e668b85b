// Plays the part of NixOS activation for tests: evaluates the generated containers.nix with the real
// nix-instantiate and runs what virtualisation.oci-containers and nixi's network unit would run
// (`<backend> network inspect nixi || <backend> network create nixi`, then `<backend> run ...` per
// container with the declared environment, environmentFiles, ports, volumes, extraOptions, image, cmd).
// Machine paths (/srv/...) are mapped under the test's --root. No --rm: without systemd units the
// runtime path of start/stop must find the container again.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { evalModule } from "../helpers/nix.js";

export function sh(argv: string[], env: NodeJS.ProcessEnv = process.env, timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { env, timeout, encoding: "utf8", maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0, stdout, stderr });
    });
  });
}

export async function activate(root: string, env: NodeJS.ProcessEnv, only?: string[]): Promise<{ backend: string; started: string[] }> {
  const v = await evalModule(join(root, "etc/nixos/nixi/containers.nix"), { resolve: true });
  const oci = v.virtualisation["oci-containers"];
  const backend: string = oci.backend;
  const script: string = v.systemd.services["nixi-network"].script;
  const net = await sh(["sh", "-c", script], env);
  if (net.code !== 0) throw new Error(`network unit script failed: ${net.stderr}`);
  const started: string[] = [];
  const names = Object.keys(oci.containers).filter((n) => !only || only.includes(n));
  // dependencies first, as systemd would order them
  const order: string[] = [];
  const visit = (n: string) => {
    if (order.includes(n)) return;
    for (const d of oci.containers[n].dependsOn ?? []) visit(d);
    order.push(n);
  };
  names.forEach(visit);
  for (const name of order.filter((n) => names.includes(n))) {
    const c = oci.containers[name];
    const mapPath = (p: string) => (p.startsWith("/srv/") ? join(root, p) : p);
    const argv = [backend, "run", `--name=${name}`, "-d"];
    if (backend === "podman") argv.push("--replace");
    for (const [k, val] of Object.entries<string>(c.environment ?? {})) argv.push("-e", `${k}=${val}`);
    for (const f of c.environmentFiles ?? []) argv.push("--env-file", mapPath(f));
    for (const p of c.ports ?? []) argv.push("-p", p);
    for (const vol of c.volumes ?? []) {
      const [host, ...rest] = vol.split(":");
      argv.push("-v", [mapPath(host), ...rest].join(":"));
    }
    argv.push("--pull", "never", ...(c.extraOptions ?? []), c.image, ...(c.cmd ?? []));
    const r = await sh(argv, env);
    if (r.code !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
    started.push(name);
  }
  return { backend, started };
}
