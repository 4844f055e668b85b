// Real mounts, made only inside a private mount namespace this test creates (unshare -m
// --propagation private): a tmpfs and a loop-mounted ext4 image. One shell in that namespace runs
// bin/nixi several times (mount, list, persist, unmount), so every step sees the previous one's mounts.
// Needs root, util-linux (unshare, mount, findmnt, losetup) and e2fsprogs (mkfs.ext4); `npm run build` first.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBin } from "../helpers/run.js";
import { makeRoot, cleanupRoots, NIXI_DIR } from "../helpers/tree.js";
import { expectEnvelope } from "../helpers/envelope.js";
import { checkNixFolder, evalModule } from "../helpers/nix.js";
import { checkOptionPaths } from "../helpers/options.js";
import { needCapability, needProgram } from "../helpers/require.js";

const canRun =
  needProgram("unshare", "mkfs.ext4", "findmnt", "losetup") &&
  needCapability("a private mount namespace (unshare -m, as root)", () => {
    execFileSync("unshare", ["-m", "--propagation", "private", "true"], { stdio: "ignore" });
    return true;
  });

const dirs: string[] = [];
afterAll(() => {
  cleanupRoots();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!canRun)("mount: real tmpfs and loop-mounted ext4 in a private mount namespace", () => {
  it("mount -> list -> persist (mounts.nix evaluated) -> unmount", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixi-mntns-"));
    dirs.push(dir);
    const root = makeRoot();
    const out = join(dir, "out");
    mkdirSync(out);
    const img = join(dir, "disk.img");
    execFileSync("truncate", ["-s", "8M", img]);
    execFileSync("mkfs.ext4", ["-q", "-L", "nixitest", img]);
    const t1 = join(dir, "scratch");
    const t2 = join(dir, "disk");
    const t3 = join(dir, "busy");
    const steps: Array<[string, string]> = [
      ["mount1", `mount mount tmpfs ${t1} --options size=1m,mode=750 --json`],
      ["mount2", `mount mount ${img} ${t2} --options loop,noatime --json`],
      ["again", `mount mount tmpfs ${t1} --json`],
      ["list", `mount list --json`],
      ["listh", `mount list`],
      ["persist1", `mount persist ${t1} --yes --no-rebuild --json`],
      ["persist2", `mount persist ${t2} --yes --no-rebuild --json`],
      ["list2", `mount list --json`],
      ["dry", `mount unmount ${t1} --dry-run --json`],
      ["unmount1", `mount unmount ${t1} --yes --no-rebuild --json`],
      ["unmount2", `mount unmount ${t2} --yes --no-rebuild --json`],
      ["unmount3", `mount unmount ${t2} --yes --no-rebuild --json`],
      ["mount3", `mount mount tmpfs ${t3} --json`],
      ["persist3", `mount persist ${t3} --yes --no-rebuild --json`],
      ["busy", `mount unmount ${t3} --yes --no-rebuild --json`],
      ["unbusy", `mount unmount ${t3} --yes --no-rebuild --json`],
    ];
    // "$@" is `node bin/nixi`; every step's stdout, stderr and exit code go to files; findmnt after unmounting
    const script =
      steps
        .map(([name, cmd]) => `"$@" ${cmd} --root ${root} >${out}/${name}.out 2>${out}/${name}.err; echo $? >${out}/${name}.rc`)
        // keep the nixi folder as it is after both persists
        .map((line, i) => (steps[i][0] === "persist2" ? `${line}\ncp -r ${join(root, NIXI_DIR)} ${out}/nixi-persisted` : line))
        // a process working inside t3 keeps it busy for the "busy" step only (killed by its PID, and bounded by sleep itself)
        .map((line, i) => (steps[i][0] === "busy" ? `(cd ${t3} && exec sleep 20) & holder=$!\nsleep 0.2\n${line}\nkill $holder; wait $holder 2>/dev/null\ncp ${join(root, NIXI_DIR, "mounts.nix")} ${out}/after-busy.nix` : line))
        .join("\n") +
      `\nfindmnt -J --mountpoint ${t1} >${out}/after1.out; findmnt -J --mountpoint ${t2} >${out}/after2.out; findmnt -J --mountpoint ${t3} >${out}/after3.out; exit 0\n`;
    const r = await runBin([], { prefix: ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"], timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const res = (name: string) => {
      const stdout = readFileSync(join(out, `${name}.out`), "utf8");
      let json: any;
      try {
        json = JSON.parse(stdout);
      } catch {}
      return { rc: Number(readFileSync(join(out, `${name}.rc`), "utf8")), stdout, stderr: readFileSync(join(out, `${name}.err`), "utf8"), json };
    };

    const m1 = res("mount1");
    expect(m1.rc, m1.stderr).toBe(0);
    expect(expectEnvelope(m1.json)).toMatchObject({ ok: true, changed: true, data: { target: t1, fsType: "tmpfs", mounted: true, createdTarget: true } });
    const m2 = res("mount2");
    expect(m2.rc, m2.stderr).toBe(0);
    expect(m2.json.data).toMatchObject({ target: t2, fsType: null, options: ["loop", "noatime"] });
    const again = res("again");
    expect(again.rc).toBe(1);
    expect(again.json.error.message).toContain(`${t1} already has tmpfs (tmpfs) mounted`);

    const list = expectEnvelope(res("list").json).data.mounts;
    expect(list.find((m: any) => m.target === t1)).toMatchObject({ source: "tmpfs", fstype: "tmpfs", mounted: true, declared: false });
    expect(list.find((m: any) => m.target === t1).options).toEqual(expect.arrayContaining(["size=1024k", "mode=750"]));
    const disk = list.find((m: any) => m.target === t2);
    expect(disk).toMatchObject({ fstype: "ext4", mounted: true, declared: false });
    expect(disk.source).toMatch(/^\/dev\/loop\d+$/);
    expect(disk.options).toContain("noatime");
    expect(list.some((m: any) => m.fstype === "proc" || m.fstype === "sysfs")).toBe(false);
    expect(res("listh").stdout).toContain(t1);

    const p1 = res("persist1");
    expect(p1.rc, p1.stderr).toBe(0);
    expect(p1.json.data).toMatchObject({ target: t1, device: "tmpfs", fsType: "tmpfs", from: "current mount" });
    const p2 = res("persist2");
    expect(p2.rc, p2.stderr).toBe(0);
    expect(p2.json.warnings.join(" ")).toContain("loop device");
    const persisted = join(out, "nixi-persisted");
    expect(readFileSync(join(persisted, "mounts.nix"), "utf8")).toContain(`"${t1}"`);
    const fsys = (await evalModule(join(persisted, "mounts.nix"))).fileSystems;
    expect(fsys[t1]).toEqual({ device: "tmpfs", fsType: "tmpfs", options: expect.arrayContaining(["size=1024k", "mode=750", "nofail"]) });
    expect(fsys[t1].options).not.toContain("rw");
    expect(fsys[t2]).toMatchObject({ device: disk.source, fsType: "ext4" });
    expect(fsys[t2].options).toEqual(expect.arrayContaining(["noatime", "nofail"]));
    const { merged } = await checkNixFolder(persisted);
    expect(checkOptionPaths(merged)).toEqual([]);
    const l2 = res("list2").json.data.mounts;
    expect(l2.find((m: any) => m.target === t1)).toMatchObject({ mounted: true, declared: true });

    const dry = res("dry");
    expect(dry.rc).toBe(0);
    expect(dry.json.plan.commands).toContain(`umount ${t1}`);

    const u1 = res("unmount1");
    expect(u1.rc, u1.stderr).toBe(0);
    expect(u1.json.data).toMatchObject({ target: t1, undeclared: true, unmounted: true, source: "tmpfs" });
    expect(res("unmount2").json.data).toMatchObject({ undeclared: true, unmounted: true });
    // nothing left: neither mounted nor declared
    const u3 = res("unmount3");
    expect(u3.rc).toBe(1);
    expect(u3.json.error.message).toContain("not");
    expect(readFileSync(join(out, "after1.out"), "utf8")).toBe("");
    expect(readFileSync(join(out, "after2.out"), "utf8")).toBe("");
    expect(readFileSync(join(out, "after3.out"), "utf8")).toBe("");
    expect(existsSync(join(root, NIXI_DIR, "mounts.nix"))).toBe(false);
    // umount fails while busy: exit 1 naming umount's complaint, the declaration is restored; then it works
    expect(res("persist3").rc).toBe(0);
    const busy = res("busy");
    expect(busy.rc).toBe(1);
    expect(busy.json.error.message).toMatch(/umount -- .*busy/);
    expect(readFileSync(join(out, "after-busy.nix"), "utf8")).toContain(`"${t3}"`);
    expect(res("unbusy").json.data).toMatchObject({ undeclared: true, unmounted: true });
    // the loop device was released with the unmount (autoclear)
    expect(execFileSync("losetup", ["-j", img], { encoding: "utf8" })).toBe("");
  });
});
