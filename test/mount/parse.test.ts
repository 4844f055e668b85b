// Parsers and option rules of src/mounts on captured output shapes of util-linux 2.38.
import { describe, expect, it } from "vitest";
import { parseFindmnt, parseLsblk } from "../../src/mounts/live.js";
import { declarableOptions, persistOptions, credentialsPath, nixDevice } from "../../src/mounts/validate.js";
import { parseCredentialsFile } from "../../src/mounts/credentials.js";

describe("findmnt / lsblk JSON", () => {
  it("flattens findmnt's tree form and splits options", () => {
    const tree = JSON.stringify({
      filesystems: [
        { target: "/", source: "/dev/vda2", fstype: "ext4", options: "rw,relatime", children: [{ target: "/boot", source: "/dev/vda1", fstype: "vfat", options: "rw,fmask=0022" }] },
      ],
    });
    expect(parseFindmnt(tree)).toEqual([
      { target: "/", source: "/dev/vda2", fstype: "ext4", options: ["rw", "relatime"] },
      { target: "/boot", source: "/dev/vda1", fstype: "vfat", options: ["rw", "fmask=0022"] },
    ]);
    expect(parseFindmnt("")).toEqual([]);
  });

  it("flattens lsblk partitions with their parent; numeric and string sizes; old MOUNTPOINT column; null mount points dropped", () => {
    const doc = JSON.stringify({
      blockdevices: [
        {
          name: "sda", path: "/dev/sda", size: 500107862016, type: "disk", fstype: null, label: null, uuid: null, mountpoints: [null],
          children: [
            { name: "sda1", path: "/dev/sda1", size: "536870912", type: "part", fstype: "vfat", label: "ESP", uuid: "1234-ABCD", mountpoints: ["/boot"] },
            { name: "sda2", path: "/dev/sda2", size: 499570991104, type: "part", fstype: "ext4", label: "", uuid: "2f1c0d0e-5a4b", mountpoint: "/" },
          ],
        },
      ],
    });
    expect(parseLsblk(doc)).toEqual([
      { name: "sda", path: "/dev/sda", parent: null, sizeBytes: 500107862016, type: "disk", fstype: null, label: null, uuid: null, mountpoints: [] },
      { name: "sda1", path: "/dev/sda1", parent: "/dev/sda", sizeBytes: 536870912, type: "part", fstype: "vfat", label: "ESP", uuid: "1234-ABCD", mountpoints: ["/boot"] },
      { name: "sda2", path: "/dev/sda2", parent: "/dev/sda", sizeBytes: 499570991104, type: "part", fstype: "ext4", label: null, uuid: "2f1c0d0e-5a4b", mountpoints: ["/"] },
    ]);
  });
});

describe("what persist declares", () => {
  it("drops what the kernel fills in for an NFS mount and adds nofail/_netdev/automount", () => {
    const reported = "rw,relatime,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.5,local_lock=none,addr=10.0.0.2".split(",");
    const { keep, dropped } = declarableOptions(reported, "nfs4");
    expect(dropped).toEqual(["rw", "clientaddr=10.0.0.5", "local_lock=none", "addr=10.0.0.2"]);
    expect(persistOptions(keep, "nfs4").slice(-4)).toEqual(["nofail", "_netdev", "x-systemd.automount", "x-systemd.idle-timeout=600"]);
    expect(persistOptions(["nofail", "x-systemd.idle-timeout=60"], "cifs")).toEqual(["nofail", "x-systemd.idle-timeout=60", "_netdev", "x-systemd.automount"]);
    expect(persistOptions(["noatime"], "ext4")).toEqual(["noatime", "nofail"]);
  });

  it("device names and credentials paths", () => {
    expect(nixDevice("UUID=abcd-1234")).toBe("/dev/disk/by-uuid/abcd-1234");
    expect(nixDevice("LABEL=data")).toBe("/dev/disk/by-label/data");
    expect(nixDevice("//nas/share/")).toBe("//nas/share");
    expect(credentialsPath("/mnt/nas/photos")).toBe("/srv/.credentials/mount-mnt-nas-photos.cred");
  });

  it("reads a cifs credentials file; refuses other lines and a missing password", () => {
    expect(parseCredentialsFile("# c\nusername=alice\npassword=a=b c\ndomain=HOME\n", "f")).toEqual({ username: "alice", password: "a=b c", domain: "HOME" });
    expect(() => parseCredentialsFile("username=alice\n", "f")).toThrow("no password= line");
    expect(() => parseCredentialsFile("password=x\nrm -rf /\n", "f")).toThrow("f:2");
  });
});
