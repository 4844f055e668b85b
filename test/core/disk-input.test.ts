// What nixi reads from disk (config.toml, state.toml, known_hosts) is checked like flags, with
// file:line; built CLI (`npm run build` first) for the user-visible parts.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { cleanupRoots, makeRoot, treeHash } from "../helpers/tree.js";
import { lookupHost, removeHost } from "../../src/exec/known-hosts.js";
import { readFileSync } from "node:fs";

afterAll(cleanupRoots);

function configFile(body: string): string {
  const dir = makeRoot({}, { bare: true });
  const path = join(dir, "config.toml");
  writeFileSync(path, body);
  return path;
}
const node = (extra: string) => `# inventory\n[ssh]\nconnect_timeout = 2\n\n[[nodes]]\nname = "ok1"\nhost = "10.0.0.1"\n\n[[nodes]]\nname = "web"\nhost = "10.0.0.2"\n${extra}\n`;

describe("config.toml [[nodes]] are validated on load (exit 2, file:line)", () => {
  it.each([
    ['mode = ["monitored"]', 12, /mode must be exactly "managed" or "monitored", not \["monitored"\]/],
    ['mode = ""', 12, /mode must be exactly "managed" or "monitored", not ""/],
    ['mode = "Monitored"', 12, /not "Monitored"/],
    ['port = "22947; touch /tmp/x"', 12, /port: must be a number/],
    ["port = 70000", 12, /port must be 1-65535/],
    ['user = "root -oProxyCommand=x"', 12, /user: .*a user name is/],
    ['identity = ""', 12, /identity: must be a file path/],
    ['tagz = ["a"]', 12, /unknown key "tagz"/],
  ])("%s", async (line, lineNo, why) => {
    const path = configFile(node(line));
    const r = await runBin(`node list --json --config ${path}`);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.json.error.code).toBe("CONFIG_INVALID");
    expect(r.json.error.message).toContain(`${path}:${lineNo}: nodes[1].`);
    expect(r.json.error.message).toMatch(why);
  });

  it("a newline in host cannot spoof the node list table", async () => {
    const path = configFile(`[[nodes]]\nname = "web"\nhost = "10.0.0.2\\nok2  10.9.9.9  nixi  22  managed"\n`);
    const r = await runBin(`node list --config ${path}`);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${path}:3: nodes[0].host`);
    expect(r.stderr).toContain("a host is a DNS name or an IP address");
  });

  it("a valid inventory still loads", async () => {
    const path = configFile(node('mode = "monitored"\nport = 2222\nuser = "ops"\ntags = ["db"]'));
    const r = await runBin(`node list --json --config ${path}`);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.json.data.nodes ?? r.json.data).toEqual(expect.arrayContaining([expect.objectContaining({ name: "web", mode: "monitored", port: 2222 })]));
  });

  it("--config naming a missing file is exit 2 (NIXI_CONFIG and the default path may be absent)", async () => {
    const r = await runBin(`fw list --json --config /nonexistent/nixi/config.toml --root ${makeRoot()}`);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toBe("--config /nonexistent/nixi/config.toml: no such file");
    expect(r.json.command).toBe("fw list");
    expect((await runBin(`fw list --json --root ${makeRoot()}`, { env: { NIXI_CONFIG: "/nonexistent/c.toml" } })).exitCode).toBe(0);
    // node adopt creates the file it is pointed at
    const fresh = join(makeRoot({}, { bare: true }), "new", "config.toml");
    const adopt = await runBin(`--config ${fresh} node adopt x 127.0.0.1 --dry-run --json`);
    expect(adopt.exitCode, adopt.stdout).toBe(0);
  });
});

describe("state.toml is validated before nixi renders it", () => {
  const machine = (state: string) => makeRoot({ "/etc/nixos/nixi/state.toml": state });

  it("an unknown table is an error naming file:line, nothing changed", async () => {
    const root = machine(`version = 1\n\n[firewal]\ntcp = [22]\n`);
    const before = treeHash(root);
    const r = await runBin(`fw open 80 --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stdout).toBe(2);
    expect(r.json.error.code).toBe("STATE_INVALID");
    expect(r.json.error.message).toMatch(/\/etc\/nixos\/nixi\/state\.toml:3: unknown table \[firewal\] \(nixi's tables: .*firewall/);
    expect(treeHash(root)).toBe(before);
  });

  it.each([
    ["0", /port 0 is outside 1-65535/],
    ["70000", /port 70000 is outside 1-65535/],
    ["1.5", /not a port/],
    ["-22", /not a port/],
    ['"443-80"', /range 443-80 is reversed/],
  ])("a bad port in [firewall] tcp (%s) is refused, nothing changed", async (entry, message) => {
    const root = machine(`version = 1\n[firewall]\ntcp = [22, ${entry}]\n`);
    const before = treeHash(root);
    const r = await runBin(`fw open 80 --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode, r.stdout).toBe(2);
    expect(r.json.error.code).toBe("STATE_INVALID");
    expect(r.json.error.message).toMatch(message);
    expect(treeHash(root)).toBe(before);
  });

  it("[users.root] is refused", async () => {
    const root = machine(`version = 1\n[users.root]\ngroups = ["wheel"]\n`);
    const r = await runBin(`fw open 80 --yes --no-rebuild --json --root ${root}`);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.message).toMatch(/\[users\.root\]: nixi does not declare root/);
  });

  it.each([
    [`version = 1\n[options]\n"__proto__" = { polluted = true }\n`, 3, "options"],
    [`version = 1\n[containers.__proto__]\nimage = "x"\n`, 2, "containers"],
  ])("a __proto__ key is refused (%#)", async (state, line, where) => {
    const root = machine(state);
    const r = await runBin(`fw list --json --root ${root}`);
    expect(r.exitCode, r.stdout).toBe(2);
    expect(r.json.error.message).toBe(`/etc/nixos/nixi/state.toml:${line}: the key "__proto__" (in ${where}) is not allowed`);
  });
});

describe("known_hosts patterns are honoured like OpenSSH", () => {
  const KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
  const file = (text: string) => {
    const dir = makeRoot({}, { bare: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "known_hosts"), text);
    return join(dir, "known_hosts");
  };
  it("`*`, `?` and `!negation`", async () => {
    const kh = file(`* ssh-ed25519 ${KEY}\n`);
    expect((await lookupHost(kh, "10.1.2.3", 22)).keys).toEqual([{ type: "ssh-ed25519", key: KEY }]);
    expect((await lookupHost(kh, "127.0.0.1", 2222)).keys).toHaveLength(1);
    const kh2 = file(`!bad.example.org,*.example.org ssh-ed25519 ${KEY}\n10.0.0.? ssh-rsa AAAAB3NzaC1yc2E\n`);
    expect((await lookupHost(kh2, "web.EXAMPLE.org", 22)).keys).toHaveLength(1);
    expect((await lookupHost(kh2, "bad.example.org", 22)).keys).toHaveLength(0);
    expect((await lookupHost(kh2, "example.org", 22)).keys).toHaveLength(0);
    expect((await lookupHost(kh2, "10.0.0.7", 22)).keys).toEqual([{ type: "ssh-rsa", key: "AAAAB3NzaC1yc2E" }]);
    expect((await lookupHost(kh2, "10.0.0.17", 22)).keys).toHaveLength(0);
  });
  it("@revoked with a wildcard revokes for every host it names; removing a host keeps wildcard lines", async () => {
    const kh = file(`@revoked *.example.org ssh-ed25519 ${KEY}\n* ssh-ed25519 ${KEY}\nweb1 ssh-ed25519 ${KEY}\n`);
    expect((await lookupHost(kh, "a.example.org", 22)).revoked).toHaveLength(1);
    expect((await lookupHost(kh, "web1", 22)).revoked).toHaveLength(0);
    expect(await removeHost(kh, "web1", 22)).toBe(1);
    expect(readFileSync(kh, "utf8")).toBe(`@revoked *.example.org ssh-ed25519 ${KEY}\n* ssh-ed25519 ${KEY}\n`);
  });
});
