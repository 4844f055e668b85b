import { defineCommand } from "../../core/command.js";

interface Input {
  source: string;
  target: string;
  type?: string;
  options?: string;
  credentialsFile?: string;
}

export interface MountResult {
  target: string;
  source: string;
  fsType: string | null;
  options: string[];
  credentialsFile: string | null;
  createdTarget: boolean;
  mounted: boolean;
}

export default defineCommand<Input, MountResult>({
  path: ["mount", "mount"],
  summary: "Mount a filesystem now (until reboot): a device, UUID=/LABEL=, NFS host:/export, SMB //host/share or tmpfs",
  description:
    "Runs `mount -t TYPE -o OPTIONS SOURCE TARGET`, creating TARGET. The type is implied for host:/export (nfs), " +
    "//host/share (cifs) and tmpfs. An SMB password is read from a masked prompt, from stdin, or from --credentials-file " +
    "(cifs format: username=/password=/domain= lines), written to /srv/.credentials/mount-<name>.cred (mode 600) and " +
    "passed as -o credentials=FILE: never on the command line. Declare the mount for every boot with `nixi mount persist TARGET`.",
  risk: "operate",
  args: [
    { name: "source", description: "/dev/sdb1, UUID=..., LABEL=..., host:/export, //host/share, tmpfs, or an image file with --options loop" },
    { name: "target", description: "mount point (absolute path; created when missing)" },
  ],
  flags: {
    type: { type: "string", short: "t", description: "filesystem type (ext4, xfs, btrfs, vfat, exfat, ntfs3, nfs, nfs4, cifs, tmpfs, ...)", placeholder: "fstype" },
    options: { type: "string", short: "o", description: "mount options, comma separated (no password=/credentials=: see --credentials-file)", placeholder: "o1,o2" },
    "credentials-file": { type: "string", description: "SMB credentials file (username=/password=/domain= lines; - for stdin)", placeholder: "file", hiddenFromAsk: true },
  },
  examples: [
    "nixi mount mount /dev/sdb1 /mnt/usb",
    "nixi mount mount UUID=2f1c0d0e-5a4b-4c3d-9e8f-0a1b2c3d4e5f /mnt/backup --type ext4 --options noatime",
    "nixi mount mount nas.lan:/export/media /mnt/media --options ro,vers=4.2",
    "printf %s \"$SMB_PW\" | nixi mount mount //nas.lan/photos /mnt/photos --options username=alice,uid=1000",
    "nixi mount mount tmpfs /mnt/scratch --options size=2G",
  ],
  jsonFields: ["target", "source", "fsType", "options", "credentialsFile", "createdTarget", "mounted"],
  async run(ctx, input) {
    const { NixiError } = await import("../../core/errors.js");
    const v = await import("../../mounts/validate.js");
    const kind = v.checkSource(input.source);
    const target = v.checkTarget(input.target);
    let options = v.checkOptions(input.options);
    const fsType = v.fsTypeFor(input.source, kind, input.type === undefined ? undefined : v.checkFsType(input.type), options);
    const smb = fsType === "cifs" || fsType === "smb3";
    if (input.credentialsFile !== undefined && !smb) throw new NixiError("INVALID_ARGUMENT", `--credentials-file is for SMB shares (//host/share), not ${JSON.stringify(input.source)}`);

    const { mountsAt } = await import("../../mounts/live.js");
    const already = await mountsAt(ctx, target);
    if (already.length) {
      const top = already[already.length - 1];
      throw new NixiError("FAILED", `${target} already has ${top.source} (${top.fstype}) mounted`, `unmount it first: nixi mount unmount ${target}`);
    }

    let credentialsFile: string | null = null;
    let credsContent: string | null = null;
    if (smb) {
      const { readSmbCredentials, renderCredentials } = await import("../../mounts/credentials.js");
      const opt = (k: string) => options.find((o) => o.startsWith(k + "="))?.slice(k.length + 1);
      const creds = await readSmbCredentials(ctx, input.source, input.credentialsFile, opt("username") ?? opt("user"), opt("domain"), options.includes("guest"));
      if (creds) {
        credsContent = renderCredentials(creds);
        credentialsFile = v.credentialsPath(target);
        options = options.filter((o) => !/^(username|user|domain)=/.test(o));
        options.push(`credentials=${credentialsFile}`);
      }
    }

    // checked and created by programs, so it is the same path mount sees (also under --root)
    const createdTarget = (await ctx.exec.run(["test", "-e", target], { readOnly: true, timeoutMs: 15_000 })).exitCode !== 0;
    const fail = (what: string, r: { exitCode: number; stderr: string; stdout: string }) =>
      new NixiError("FAILED", `${what} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" / ")}`);
    if (createdTarget) {
      const r = await ctx.exec.run(["mkdir", "-p", "--", target], { privileged: true, timeoutMs: 15_000 });
      if (r.exitCode !== 0) throw fail(`mkdir -p ${target}`, r);
    }
    if (credentialsFile && credsContent) {
      await (await import("../../nixos/folder-mode.js")).ensurePrivateFolder(ctx, v.CREDENTIALS_DIR, 0o700);
      await ctx.exec.writeFile(credentialsFile, credsContent, { mode: 0o600, privileged: true });
    }
    const argv = ["mount", ...(fsType ? ["-t", fsType] : []), ...(options.length ? ["-o", options.join(",")] : []), "--", input.source, target];
    const r = await ctx.exec.run(argv, { privileged: true, timeoutMs: 120_000 });
    if (r.exitCode !== 0) {
      if (credentialsFile) await ctx.exec.remove(credentialsFile, { privileged: true }).catch(() => {});
      if (createdTarget) await ctx.exec.run(["rmdir", "--", target], { privileged: true, timeoutMs: 15_000 }).catch(() => {});
      throw fail(`mount ${input.source} ${target}`, r);
    }
    return { target, source: input.source, fsType: fsType ?? null, options, credentialsFile, createdTarget, mounted: !ctx.flags.dryRun };
  },
  render(data, out) {
    if (!data.mounted) return;
    out.line(`mounted ${data.source} on ${data.target}${data.fsType ? ` (${data.fsType})` : ""} until reboot`);
    if (data.credentialsFile) out.line(`credentials: ${data.credentialsFile} (mode 600)`);
    out.line(`keep it across reboots: nixi mount persist ${data.target}`);
  },
});
