import { defineCommand } from "../../core/command.js";

interface Input {
  target: string;
  source?: string;
  type?: string;
  options?: string;
  credentialsFile?: string;
}

export default defineCommand<Input>({
  path: ["mount", "persist"],
  summary: "Declare a mount for every boot (fileSystems in mounts.nix), from what is mounted there now or from flags",
  description:
    "Writes fileSystems.\"TARGET\" = { device; fsType; options; } to mounts.nix and rebuilds. Without --source, the current " +
    "mount of TARGET is used (a /dev path becomes /dev/disk/by-uuid/...). nixi adds nofail (boot does not hang on a missing disk), " +
    "and for NFS/SMB _netdev, x-systemd.automount and x-systemd.idle-timeout=600. An SMB share keeps its credentials in " +
    "/srv/.credentials/mount-<name>.cred (mode 600): the one `nixi mount mount` wrote, or a new one from --credentials-file.",
  risk: "change",
  args: [{ name: "target", description: "mount point (absolute path)" }],
  flags: {
    source: { type: "string", description: "device, UUID=/LABEL=, host:/export, //host/share or tmpfs (default: what is mounted at TARGET now)", placeholder: "source" },
    type: { type: "string", short: "t", description: "filesystem type (default: the current mount's, or implied by the source)", placeholder: "fstype" },
    options: { type: "string", short: "o", description: "mount options, comma separated (default: the current mount's)", placeholder: "o1,o2" },
    "credentials-file": { type: "string", description: "SMB credentials file (username=/password=/domain= lines; - for stdin)", placeholder: "file", hiddenFromAsk: true },
  },
  examples: [
    "nixi mount persist /mnt/backup",
    "nixi mount persist /mnt/media --source nas.lan:/export/media --type nfs4 --options ro",
    "nixi mount persist /mnt/data --source LABEL=data --type xfs --dry-run",
  ],
  jsonFields: ["target", "device", "fsType", "options", "credentialsFile", "from"],
  async mutate(state, input, ctx) {
    const { NixiError } = await import("../../core/errors.js");
    const v = await import("../../mounts/validate.js");
    const { readMounts, setMount } = await import("../../mounts/state.js");
    const { mountsAt, blockDevices } = await import("../../mounts/live.js");
    const target = v.checkTarget(input.target);
    const flagOptions = input.options === undefined ? undefined : v.checkOptions(input.options);
    const flagType = input.type === undefined ? undefined : v.checkFsType(input.type);
    const warnings: string[] = [];
    readMounts(state); // a broken hand edit is reported before anything else

    let source: string;
    let fsType: string | undefined;
    let options: string[];
    let from: "flags" | "current mount";
    if (input.source !== undefined) {
      const kind = v.checkSource(input.source);
      options = flagOptions ?? [];
      fsType = v.fsTypeFor(input.source, kind, flagType, options);
      if (!fsType) {
        const cur = (await mountsAt(ctx, target)).pop();
        fsType = cur && v.FS_TYPES.includes(cur.fstype as any) ? cur.fstype : "auto";
      }
      source = input.source;
      from = "flags";
      if (/^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk)[a-z0-9]*$/.test(source)) {
        warnings.push(`${source} is a kernel name, which can change between boots: UUID=... or LABEL=... (see nixi mount devices) is steadier`);
      }
    } else {
      const cur = (await mountsAt(ctx, target)).pop();
      if (!cur) throw new NixiError("FAILED", `nothing is mounted at ${target}`, `mount it first (nixi mount mount SOURCE ${target}) or give --source and --type`);
      from = "current mount";
      try {
        v.checkSource(cur.source);
      } catch (e: any) {
        throw new NixiError("INVALID_ARGUMENT", `the current mount of ${target} has a source nixi cannot declare: ${e.message}`, "give --source");
      }
      fsType = flagType ?? cur.fstype;
      if (!flagType) {
        try {
          v.checkFsType(fsType);
        } catch (e: any) {
          throw new NixiError("INVALID_ARGUMENT", `${target} is mounted as ${JSON.stringify(cur.fstype)}, which nixi does not declare`, `one of: ${v.FS_TYPES.join(", ")}`);
        }
      }
      source = cur.source;
      if (flagOptions) options = flagOptions;
      else {
        const { keep, dropped } = v.declarableOptions(cur.options, fsType);
        options = keep;
        const notable = dropped.filter((o) => o !== "rw");
        if (notable.length) warnings.push(`not declared (reported by the kernel, set automatically): ${notable.map((o) => o.split("=")[0]).join(", ")}`);
      }
      if (/^\/dev\/loop\d+$/.test(source)) {
        warnings.push(`${source} is a loop device, whose number is not stable across reboots: declare the image instead with --source /path/to/image --options loop`);
      } else if (source.startsWith("/dev/") && !source.startsWith("/dev/disk/") && !source.startsWith("/dev/mapper/")) {
        const dev = (await blockDevices(ctx, [source]).catch(() => [])).find((d) => d.path === source);
        if (dev?.uuid) source = `UUID=${dev.uuid}`;
        else warnings.push(`${source} has no UUID that lsblk can see: declared by its kernel name, which can change between boots`);
      }
    }
    const device = v.nixDevice(source);
    options = options.filter((o) => !o.startsWith("credentials="));

    // SMB credentials: a new file from --credentials-file, else the one `mount mount` wrote
    const files: Array<{ path: string; content: string; mode: number; secret: boolean; privileged: boolean }> = [];
    const mkdirs: Array<{ path: string; mode: number }> = [];
    let credentialsFile: string | null = null;
    const smb = fsType === "cifs" || fsType === "smb3";
    if (input.credentialsFile !== undefined && !smb) throw new NixiError("INVALID_ARGUMENT", `--credentials-file is for SMB shares (//host/share), not ${JSON.stringify(device)}`);
    if (smb) {
      const path = v.credentialsPath(target);
      if (input.credentialsFile !== undefined) {
        const { readSmbCredentials, renderCredentials } = await import("../../mounts/credentials.js");
        const opt = (k: string) => options.find((o) => o.startsWith(k + "="))?.slice(k.length + 1);
        const creds = (await readSmbCredentials(ctx, device, input.credentialsFile, opt("username") ?? opt("user"), opt("domain"), false))!;
        files.push({ path, content: renderCredentials(creds), mode: 0o600, secret: true, privileged: true });
        mkdirs.push({ path: v.CREDENTIALS_DIR, mode: 0o700 });
        credentialsFile = path;
      } else if (await ctx.exec.stat(path)) {
        credentialsFile = path;
      } else if (!options.includes("guest")) {
        warnings.push(`no credentials for ${device}: ${path} does not exist, so it is declared without a password (give --credentials-file FILE, or --options guest)`);
      }
      if (credentialsFile) {
        options = options.filter((o) => !/^(username|user|domain)=/.test(o));
        options.push(`credentials=${credentialsFile}`);
      }
    }
    options = v.persistOptions(options, fsType);
    v.checkOptions(options.filter((o) => !o.startsWith("credentials=")));

    const before = readMounts(state).find((m) => m.target === target);
    setMount(state, { target, device, fsType, options });
    const summary = [`declare ${target}: ${device} (${fsType}, ${options.join(",")})`];
    if (before && (before.device !== device || before.fsType !== fsType)) summary.push(`replaces ${before.device} (${before.fsType})`);
    if (files.length) summary.push(`SMB credentials -> ${credentialsFile} (mode 600)`);
    return { summary, data: { target, device, fsType, options, credentialsFile, from }, files, mkdirs, warnings };
  },
});
