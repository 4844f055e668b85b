import { defineCommand } from "../../core/command.js";
import { loadState } from "../../nixos/state.js";
import { readPasswd, readGroups, readShadowLocks } from "../../users/machine.js";
import { readUsers } from "../../users/state.js";

interface Row {
  name: string;
  uid: number | null;
  groups: string[];
  shell: string | null;
  home: string | null;
  description: string;
  /** Password locked (! in /etc/shadow); null when /etc/shadow could not be read or the user does not exist yet. */
  locked: boolean | null;
  /** Declared by nixi in users.nix. */
  declared: boolean;
  /** Exists in /etc/passwd (false: declared, waiting for a rebuild). */
  present: boolean;
  system: boolean;
}

/** Human accounts: uid 1000-59999 (NixOS normal users), plus root and whatever nixi declares. */
const isHuman = (uid: number) => uid === 0 || (uid >= 1000 && uid < 60000);

export default defineCommand<{ all?: boolean }, { users: Row[] }>({
  path: ["user", "list"],
  summary: "Users: name, uid, groups, shell, lock state, and whether nixi declares them",
  risk: "read",
  flags: { all: { type: "boolean", description: "include system accounts (uid below 1000, nobody, ...)" } },
  examples: ["nixi user list", "nixi user list --all --json"],
  jsonFields: ["users"],
  async run(ctx, { all }) {
    // the four files in one round trip (issue 11)
    const { prefetchFiles } = await import("../../exec/prefetch.js");
    ctx = { ...ctx, exec: await prefetchFiles(ctx.exec, ["/etc/passwd", "/etc/group", "/etc/shadow", `${ctx.config.nixiDir}/state.toml`]) };
    const [passwd, groups, locks, state] = await Promise.all([readPasswd(ctx), readGroups(ctx), readShadowLocks(ctx), loadState(ctx)]);
    const declared = readUsers(state);
    const byGid = new Map(groups.map((g) => [g.gid, g.name]));
    const rows: Row[] = [];
    for (const p of passwd) {
      const d = declared[p.name];
      if (!all && !d && !isHuman(p.uid)) continue;
      const primary = byGid.get(p.gid);
      const member = groups.filter((g) => g.members.includes(p.name)).map((g) => g.name);
      rows.push({
        name: p.name,
        uid: p.uid,
        groups: [...new Set([...(primary ? [primary] : []), ...member])],
        shell: p.shell,
        home: p.home,
        description: p.gecos,
        locked: locks ? (locks.get(p.name) ?? null) : null,
        declared: !!d,
        present: true,
        system: d ? d.system : !isHuman(p.uid) || p.uid === 0,
      });
    }
    for (const [name, d] of Object.entries(declared)) {
      if (rows.some((r) => r.name === name)) continue;
      rows.push({ name, uid: null, groups: d.groups, shell: d.shell ?? null, home: null, description: d.description ?? "", locked: null, declared: true, present: false, system: d.system });
    }
    rows.sort((a, b) => (a.uid ?? 1e9) - (b.uid ?? 1e9) || a.name.localeCompare(b.name));
    if (locks === null) ctx.debug("cannot read /etc/shadow: lock state not shown");
    return { users: rows };
  },
  render(data, out) {
    if (!data.users.length) return out.line("no users");
    out.table(data.users, [
      { key: "name", header: "name" },
      { key: "uid", header: "uid", format: (v) => (v === null ? "-" : String(v)) },
      { key: "groups", header: "groups", format: (v) => (v as string[]).join(",") },
      { key: "shell", header: "shell", format: (v) => (v ? String(v).split("/").pop()! : "-") },
      { key: "locked", header: "locked", format: (v) => (v === null ? "?" : v ? "yes" : "no") },
      { key: "declared", header: "nixi", format: (v, r) => (v ? (r.present ? "declared" : "declared (rebuild pending)") : "") },
    ]);
  },
});
