// Who owns /srv/<name>/: the nixi user when the machine has it, else root (an unknown owner
// would make systemd-tmpfiles, and with it the switch, fail).
import { afterAll, expect, it } from "vitest";
import { join } from "node:path";
import { run, REPO } from "../helpers/run.js";
import { makeRoot, cleanupRoots, NIXI_DIR } from "../helpers/tree.js";
import { evalModule } from "../helpers/nix.js";

afterAll(cleanupRoots);
const FAKES = join(REPO, "test/fakes");
const deploy = (root: string) => run(`container deploy web --image nginx:1.27 --backend podman --volume html:/usr/share/nginx/html --yes --json --root ${root}`, { path: [FAKES] });
const rules = async (root: string) => (await evalModule(join(root, NIXI_DIR, "containers.nix"))).systemd.tmpfiles.rules;

it("uses the nixi user when /etc/passwd has it", async () => {
  const root = makeRoot({ "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnixi:x:990:990::/var/lib/nixi:/bin/sh\n" });
  const r = await deploy(root);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(await rules(root)).toContain("d /srv/web/html 0750 nixi nixi -");
  expect(r.json.warnings.join()).not.toContain("no user nixi");
});

it("falls back to root, once, with a warning, when there is no nixi user", async () => {
  const root = makeRoot({ "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n" });
  const r = await deploy(root);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.json.warnings.join()).toContain("no user nixi");
  expect(await rules(root)).toContain("d /srv/web/html 0750 root root -");
  const { readFileSync } = await import("node:fs");
  expect(readFileSync(join(root, NIXI_DIR, "state.toml"), "utf8")).toMatch(/data_owner = "root"/);
});
