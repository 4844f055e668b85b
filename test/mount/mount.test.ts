// mount persist / unmount / mount (network shares via a fake mount) / list / devices through the CLI.
// mounts.nix is evaluated by nix-instantiate and its option paths checked against ../shared/nixos.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { makeRoot, cleanupRoots, treeHash, read, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { checkNixFolder, evalModule } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";

const FAKES = fileURLToPath(new URL("./fakes", import.meta.url));
const temps: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "nixi-mnt-"));
  temps.push(d);
  return d;
};
afterAll(() => {
  cleanupRoots();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const stage = (root: string, cmd: string, opts = {}) => run(`${cmd} --yes --no-rebuild --json --root ${root}`, opts);

async function fileSystems(root: string) {
  const dir = join(root, NIXI_DIR);
  const { merged } = await checkNixFolder(dir);
  expect(checkOptionPaths(merged)).toEqual([]);
  return (await evalModule(join(dir, "mounts.nix"))).fileSystems;
}

describe("mount persist (from flags)", () => {
  it("declares NFS, tmpfs and UUID= mounts with the options an admin expects; names with slashes are quoted", async () => {
    const root = makeRoot();
    let r = await stage(root, "mount persist /mnt/media --source nas.lan:/export/media --type nfs4 --options ro,vers=4.2");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(expectEnvelope(r.json).data).toMatchObject({ target: "/mnt/media", device: "nas.lan:/export/media", fsType: "nfs4", from: "flags" });
    r = await stage(root, "mount persist /srv/scratch --source tmpfs --options size=2G,mode=1777");
    expect(r.exitCode, r.stderr).toBe(0);
    r = await stage(root, "mount persist /mnt/backup/ --source UUID=2f1c0d0e-5a4b-4c3d-9e8f-0a1b2c3d4e5f --type ext4 --options noatime");
    expect(r.exitCode, r.stderr).toBe(0);
    const text = read(root, `${NIXI_DIR}/mounts.nix`);
    expect(text).toContain('"/mnt/media"');
    expect(await fileSystems(root)).toEqual({
      "/mnt/media": { device: "nas.lan:/export/media", fsType: "nfs4", options: ["ro", "vers=4.2", "nofail", "_netdev", "x-systemd.automount", "x-systemd.idle-timeout=600"] },
      "/srv/scratch": { device: "tmpfs", fsType: "tmpfs", options: ["size=2G", "mode=1777", "nofail"] },
      "/mnt/backup": { device: "/dev/disk/by-uuid/2f1c0d0e-5a4b-4c3d-9e8f-0a1b2c3d4e5f", fsType: "ext4", options: ["noatime", "nofail"] },
    });
    // listed as declared, not mounted
    const l = await run(`mount list --json --root ${root}`);
    expect(l.exitCode).toBe(0);
    const rows = expectEnvelope(l.json).data.mounts.filter((m: any) => m.declared);
    expect(rows.map((m: any) => [m.target, m.mounted])).toEqual([["/mnt/backup", false], ["/mnt/media", false], ["/srv/scratch", false]]);
    const human = await run(`mount list --root ${root}`);
    expect(human.stdout).toMatch(/\/mnt\/media\s+nas\.lan:\/export\/media\s+nfs4/);
    // persisting the same again: changed:false, no rebuild (no nixos-rebuild on PATH would fail)
    const again = await run(`mount persist /mnt/media --source nas.lan:/export/media --type nfs4 --options ro,vers=4.2 --yes --json --root ${root}`);
    expect(again.exitCode).toBe(0);
    expect(again.json).toMatchObject({ changed: false });
  });

  it("SMB: the password from --credentials-file goes only to a mode-600 file the declaration references", async () => {
    const root = makeRoot();
    const dir = tmp();
    const credIn = join(dir, "nas.cred");
    writeFileSync(credIn, "username=alice\npassword=S3cret-Pass!word\ndomain=HOME\n");
    const r = await stage(root, `mount persist /mnt/photos --source //nas.lan/photos --options uid=1000,username=bob --credentials-file ${credIn}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("S3cret");
    const cred = join(root, "srv/.credentials/mount-mnt-photos.cred");
    expect(statSync(cred).mode & 0o777).toBe(0o600);
    expect(readFileSync(cred, "utf8")).toBe("username=alice\npassword=S3cret-Pass!word\ndomain=HOME\n");
    expect(read(root, `${NIXI_DIR}/state.toml`)).not.toContain("S3cret");
    expect(read(root, `${NIXI_DIR}/mounts.nix`)).not.toContain("S3cret");
    expect((await fileSystems(root))["/mnt/photos"]).toEqual({
      device: "//nas.lan/photos",
      fsType: "cifs",
      options: ["uid=1000", "credentials=/srv/.credentials/mount-mnt-photos.cred", "nofail", "_netdev", "x-systemd.automount", "x-systemd.idle-timeout=600"],
    });
    // unmount: not mounted here, but declared: the declaration and the credentials file go
    const u = await stage(root, "mount unmount /mnt/photos");
    expect(u.exitCode, u.stderr).toBe(0);
    expect(u.json.data).toMatchObject({ undeclared: true, unmounted: false });
    expect(existsSync(cred)).toBe(false);
    expect(existsSync(join(root, NIXI_DIR, "mounts.nix"))).toBe(false);
    expect(read(root, `${NIXI_DIR}/state.toml`)).not.toContain("mounts");
  });

  it("warns about kernel device names and SMB shares without credentials", async () => {
    const root = makeRoot();
    const r = await stage(root, "mount persist /mnt/usb --source /dev/sdb1 --type exfat");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.warnings.join(" ")).toContain("/dev/sdb1 is a kernel name");
    const s = await stage(root, "mount persist /mnt/share --source //nas/share");
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.json.warnings.join(" ")).toContain("no credentials for //nas/share");
    const g = await stage(root, "mount persist /mnt/public --source //nas/public --options guest");
    expect(g.json.warnings).toEqual([]);
    expect((await fileSystems(root))["/mnt/public"].options).toEqual(["guest", "nofail", "_netdev", "x-systemd.automount", "x-systemd.idle-timeout=600"]);
  });

  it("persist without --source needs something mounted there (exit 1)", async () => {
    const root = makeRoot();
    const target = tmp();
    const r = await run(`mount persist ${target} --yes --json --root ${root}`);
    expect(r.exitCode).toBe(1);
    expect(expectEnvelope(r.json).error.message).toContain(`nothing is mounted at ${target}`);
  });
});

describe("bad input: exit 2/4 naming the value, nothing changed", () => {
  const CASES: Array<[string, number, string]> = [
    ["mount persist / --source tmpfs", 4, '"/"'],
    ["mount persist /nix/store --source tmpfs", 4, '"/nix/store"'],
    ["mount persist /nix/store/abc-x --source tmpfs", 4, "/nix/store/abc-x"],
    ["mount persist /boot --source LABEL=boot --type vfat", 4, '"/boot"'],
    ["mount persist /etc --source tmpfs", 4, '"/etc"'],
    ["mount persist /proc/sys/x --source tmpfs", 4, "/proc/sys/x"],
    ["mount persist /dev/shm --source tmpfs", 4, "/dev/shm"],
    ["mount persist /sys/fs/x --source tmpfs", 4, "/sys/fs/x"],
    ["mount persist /run --source tmpfs", 4, '"/run"'],
    ["mount persist /usr/ --source tmpfs", 4, '"/usr"'],
    ["mount persist mnt/data --source tmpfs", 2, '"mnt/data"'],
    ["mount persist /mnt/../etc --source tmpfs", 2, '"/mnt/../etc"'],
    ["mount persist /mnt/a;b --source tmpfs", 2, '"/mnt/a;b"'],
    ["mount persist /mnt/x --source tmpfs --type fuse.sshfs", 2, '"fuse.sshfs"'],
    ["mount persist /mnt/x --source tmpfs --options size=1G,password=hunter22", 2, "password"],
    ["mount persist /mnt/x --source //nas/share --options credentials=/root/c", 2, "credentials"],
    ["mount persist /mnt/x --source tmpfs --options size=1G;reboot", 2, "size=1G;reboot"],
    ["mount persist /mnt/x --source nas:/e --type ext4", 2, '"ext4"'],
    ["mount persist /mnt/x --source //nas/share --type nfs", 2, '"nfs"'],
    ["mount persist /mnt/x --source -oremount", 2, '"-oremount"'],
    ["mount persist /mnt/x --source $(reboot)", 2, "$(reboot)"],
    ["mount persist /mnt/x --source /dev/../etc/shadow --type ext4", 2, "/dev/../etc/shadow"],
    ["mount mount tmpfs / --type tmpfs", 4, '"/"'],
    ["mount mount tmpfs /nix --type tmpfs", 4, '"/nix"'],
    ["mount mount tmpfs ../x --type tmpfs", 2, '"../x"'],
    ["mount mount nas:/e /mnt/x --type xfs", 2, '"xfs"'],
    ["mount mount //nas/s /mnt/x --options password=hunter22", 2, "password"],
    ["mount mount /dev/sdb1 /mnt/x --type ext9", 2, '"ext9"'],
    ["mount mount /dev/sdb1 /mnt/x --credentials-file /tmp/c", 2, "--credentials-file"],
    ["mount unmount /sys", 4, '"/sys"'],
    ["mount unmount relative", 2, '"relative"'],
  ];
  for (const [cmd, code, named] of CASES) {
    it(`${cmd} -> exit ${code}`, async () => {
      const root = makeRoot();
      await stage(root, "mount persist /srv/keep --source tmpfs");
      const before = treeHash(root);
      const r = await run(`${cmd} --yes --no-rebuild --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_MOUNT_LOG: "/nonexistent/log" } });
      expect(r.exitCode, r.stderr).toBe(code);
      expect(r.stderr).toContain(named);
      expect(r.stderr).not.toContain("hunter22");
      const j = await run(`${cmd} --yes --json --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_MOUNT_LOG: "/nonexistent/log" } });
      expect(j.exitCode).toBe(code);
      expect(expectEnvelope(j.json)).toMatchObject({ ok: false });
      expect(j.stdout).not.toContain("hunter22");
      expect(treeHash(root)).toBe(before);
    });
  }

  it("--dry-run and non-TTY without --yes leave the tree unchanged", async () => {
    const root = makeRoot();
    await stage(root, "mount persist /srv/keep --source tmpfs");
    const before = treeHash(root);
    const d = await run(`mount persist /mnt/media --source nas:/export --dry-run --json --root ${root}`);
    expect(d.exitCode).toBe(0);
    expect(expectEnvelope(d.json)).toMatchObject({ dryRun: true, changed: false });
    expect(d.json.plan.summary[0]).toContain("/mnt/media");
    const n = await run(`mount persist /mnt/media --source nas:/export --root ${root}`);
    expect(n.exitCode).toBe(3);
    const u = await run(`mount unmount /srv/keep --root ${root}`);
    expect(u.exitCode).toBe(3);
    expect(treeHash(root)).toBe(before);
  });

  it("unmount of a mount point nixi neither declares nor sees mounted is exit 1", async () => {
    const root = makeRoot();
    const r = await run(`mount unmount /mnt/nothing-here --yes --root ${root}`);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("nothing is mounted at /mnt/nothing-here and nixi does not declare it");
  });

  it("a hand-edited state.toml with a protected mount point is refused when rendering", async () => {
    const root = makeRoot({ [`${NIXI_DIR}/state.toml`]: 'version = 1\n[mounts."/etc"]\ndevice = "tmpfs"\nfs_type = "tmpfs"\noptions = ["nofail"]\n' });
    const r = await run(`mount persist /srv/x --source tmpfs --yes --no-rebuild --root ${root}`);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("/etc");
  });
});

describe("mount mount: network shares (fake mount, no servers here)", () => {
  it("NFS --dry-run plans mkdir and mount -t nfs -o ... -- SOURCE TARGET and changes nothing", async () => {
    const root = makeRoot();
    const target = join(tmp(), "media");
    const r = await run(`mount mount nas.lan:/export/media ${target} --options ro,vers=4.2 --dry-run --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    const env = expectEnvelope(r.json);
    // listed exactly as run: the tests run as root, so without sudo
    expect(env.plan.commands).toEqual([`mkdir -p -- ${target}`, `mount -t nfs -o ro,vers=4.2 -- nas.lan:/export/media ${target}`]);
    expect(existsSync(target)).toBe(false);
    const human = await run(`mount mount nas.lan:/export/media ${target} --dry-run --root ${root}`);
    expect(human.stdout).toContain("dry run: nothing was changed");
  });

  it("SMB: password from stdin lands only in the mode-600 credentials file; argv has credentials=FILE", async () => {
    const root = makeRoot();
    const dir = tmp();
    const target = join(dir, "photos");
    const log = join(dir, "mount.log");
    const env = { NIXI_FAKE_MOUNT_LOG: log, NIXI_FAKE_ROOT: root };
    const pw = "Tr0ub4dor&3-secret";
    const r = await run(`mount mount //nas.lan/photos ${target} --options username=alice,uid=1000 --json --root ${root}`, { path: [FAKES], env, stdin: pw + "\n" });
    expect(r.exitCode, r.stderr).toBe(0);
    const slug = target.slice(1).replace(/\//g, "-");
    const credPath = `/srv/.credentials/mount-${slug}.cred`;
    // the output masks credentials=... (redaction of key=value shapes); the path is in credentialsFile
    expect(expectEnvelope(r.json).data).toMatchObject({ fsType: "cifs", credentialsFile: credPath, createdTarget: true });
    expect(r.json.data.options).toHaveLength(2);
    expect(r.json.data.options[0]).toBe("uid=1000");
    expect(r.json.data.options[1]).toMatch(/^credentials=/);
    const logged = readFileSync(log, "utf8");
    expect(logged).toBe(`argv: -t cifs -o uid=1000,credentials=${credPath} -- //nas.lan/photos ${target}\ncredfile ok\n`);
    expect(logged).not.toContain(pw);
    expect(r.stdout + r.stderr).not.toContain(pw);
    expect(statSync(join(root, credPath)).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, "/srv/.credentials")).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(root, credPath), "utf8")).toBe(`username=alice\npassword=${pw}\n`);
    expect(existsSync(target)).toBe(true);
  });

  it("SMB: a masked prompt when interactive; dry-run asks nothing and writes nothing", async () => {
    const root = makeRoot();
    const dir = tmp();
    const log = join(dir, "mount.log");
    const { scriptedPrompter } = await import("../helpers/run.js");
    const p = scriptedPrompter({ password: ["Prompted-Pass1"] });
    const r = await run(`mount mount //nas.lan/share ${join(dir, "s")} --root ${root}`, { path: [FAKES], env: { NIXI_FAKE_MOUNT_LOG: log, NIXI_FAKE_ROOT: root }, tty: true, prompter: p });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(p.asked[0]).toMatch(/^password: Password for \/\/nas\.lan\/share/);
    expect(r.stdout).toContain("credentials:");
    expect(readFileSync(log, "utf8")).not.toContain("Prompted-Pass1");
    const root2 = makeRoot();
    const before = treeHash(root2);
    const d = await run(`mount mount //nas.lan/share ${join(dir, "t")} --dry-run --json --root ${root2}`, { tty: true, prompter: scriptedPrompter({}) });
    expect(d.exitCode, d.stderr).toBe(0);
    expect(d.json.plan.commands.some((c: string) => c.startsWith("write /srv/.credentials/mount-") && c.endsWith("(mode 600)"))).toBe(true);
    expect(treeHash(root2)).toBe(before);
  });

  it("SMB without a password non-interactively is exit 2; a failing mount removes the credentials file (exit 1)", async () => {
    const root = makeRoot();
    const dir = tmp();
    const env = { NIXI_FAKE_MOUNT_LOG: join(dir, "log"), NIXI_FAKE_ROOT: root };
    const r = await run(`mount mount //nas.lan/share ${join(dir, "s")} --root ${root}`, { path: [FAKES], env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("needs a password");
    const f = await run(`mount mount //nas.lan/share ${join(dir, "s")} --root ${root}`, { path: [FAKES], env: { ...env, NIXI_FAKE_MOUNT_FAIL: "1" }, stdin: "pw-123456" });
    expect(f.exitCode).toBe(1);
    expect(f.stderr).toContain("Permission denied");
    expect(existsSync(join(root, "srv/.credentials", `mount-${join(dir, "s").slice(1).replace(/\//g, "-")}.cred`))).toBe(false);
    expect(existsSync(join(dir, "s"))).toBe(false);
    // guest shares need no password
    const g = await run(`mount mount //nas.lan/public ${join(dir, "g")} --options guest --json --root ${root}`, { path: [FAKES], env });
    expect(g.exitCode, g.stderr).toBe(0);
    expect(g.json.data.credentialsFile).toBe(null);
  });
});

describe("mount mount: other sources (--dry-run)", () => {
  it("SMB with --credentials-file - (stdin), a bind mount and a UUID= source", async () => {
    const root = makeRoot();
    const dir = tmp();
    const before = treeHash(root);
    const s = await run(`mount mount //nas.lan/share ${join(dir, "s")} --credentials-file - --dry-run --json --root ${root}`, { stdin: "username=bob\npassword=Stdin-Pass-99\n" });
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.stdout).not.toContain("Stdin-Pass-99");
    const cmds: string[] = s.json.plan.commands;
    expect(cmds.find((c) => c.startsWith("mount "))).toMatch(/^mount -t cifs -o credentials=\S+ -- \/\/nas\.lan\/share /);
    expect(cmds.join("\n")).not.toContain("Stdin-Pass-99");
    const b = await run(`mount mount ${dir} ${join(dir, "b")} --options bind,ro --dry-run --json --root ${root}`);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.json.plan.commands).toContain(`mount -o bind,ro -- ${dir} ${join(dir, "b")}`);
    const u = await run(`mount mount UUID=2f1c0d0e-5a4b ${join(dir, "u")} --type xfs --dry-run --json --root ${root}`);
    expect(u.json.plan.commands).toContain(`mount -t xfs -- UUID=2f1c0d0e-5a4b ${join(dir, "u")}`);
    expect(treeHash(root)).toBe(before);
    expect(existsSync(join(dir, "s"))).toBe(false);
  });
});

describe("mount devices", () => {
  it("lists block devices with sizes in bytes (real lsblk)", async () => {
    const root = makeRoot();
    const r = await run(`mount devices --json --root ${root}`);
    expect(r.exitCode, r.stderr).toBe(0);
    const devs = expectEnvelope(r.json).data.devices;
    expect(Array.isArray(devs)).toBe(true);
    for (const d of devs) {
      expect(d.path).toMatch(/^\/dev\//);
      expect(d.sizeBytes === null || Number.isInteger(d.sizeBytes)).toBe(true);
      expect(Array.isArray(d.mountpoints)).toBe(true);
    }
    const h = await run(`mount devices --root ${root}`);
    expect(h.exitCode).toBe(0);
    if (devs.length) expect(h.stdout).toContain("DEVICE");
  });
});
