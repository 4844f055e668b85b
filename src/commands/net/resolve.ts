import { defineCommand } from "../../core/command.js";
import { NixiError } from "../../core/errors.js";
import { HostArg } from "../../net/schemas.js";

interface ResolveData {
  name: string;
  addresses: string[];
  canonicalName: string | null;
  /** Who answered: the hosts file, systemd-resolved (with the protocol), or the resolv.conf servers. */
  resolver: { source: "hosts-file" | "systemd-resolved" | "resolv.conf"; protocol: string | null; nameservers: string[] };
}

export default defineCommand<{ name: string }, ResolveData>({
  path: ["net", "resolve"],
  summary: "Resolve a name on the node (getent ahosts), and which resolver answered",
  risk: "read",
  args: [{ name: "name", description: "host name to resolve", schema: HostArg }],
  examples: ["nixi net resolve db", "nixi --all-nodes net resolve cache.internal --json"],
  jsonFields: ["name", "addresses", "canonicalName", "resolver"],
  async run(ctx, { name }) {
    const { probe, noteLiveHost } = await import("../../net/probe.js");
    const { parseAhosts, parseResolvectl, nameservers, inHostsFile } = await import("../../net/resolve.js");
    noteLiveHost(ctx);
    const r = await probe(ctx, ["getent", "ahosts", name], 15_000, "glibc (getent)");
    // getent: 2 = not found; other codes are failures of the lookup itself
    if (r.timedOut) throw new NixiError("FAILED", `resolving ${name} timed out after 15 s`);
    const { addresses, canonicalName } = parseAhosts(r.stdout);
    if (r.exitCode === 2 || addresses.length === 0) throw new NixiError("NOT_FOUND", `${name} does not resolve on ${ctx.node === "local" ? "this machine" : ctx.node}`, "check the name, /etc/hosts and the DNS servers (`nixi net resolve` shows which answered for names that work)");
    if (r.exitCode !== 0) throw new NixiError("FAILED", `getent ahosts ${name} exited ${r.exitCode}`);
    let resolver: ResolveData["resolver"];
    const hosts = (await ctx.exec.readFile("/etc/hosts").catch(() => null)) ?? "";
    const conf = (await ctx.exec.readFile("/etc/resolv.conf").catch(() => null)) ?? "";
    if (inHostsFile(hosts, name)) resolver = { source: "hosts-file", protocol: null, nameservers: [] };
    else {
      resolver = { source: "resolv.conf", protocol: null, nameservers: nameservers(conf) };
      if (await ctx.exec.which("resolvectl")) {
        const q = await ctx.exec.run(["resolvectl", "query", "--legend=yes", name], { readOnly: true, timeoutMs: 10_000, env: { LC_ALL: "C" } });
        // without systemd-resolved running, resolvectl fails: the servers in resolv.conf answered
        if (q.exitCode === 0) resolver = { source: "systemd-resolved", protocol: parseResolvectl(q.stdout).protocol, nameservers: nameservers(conf) };
      }
    }
    return { name, addresses, canonicalName, resolver };
  },
  render(d, out) {
    out.line(`${d.name}: ${d.addresses.join(" ")}`);
    const via = d.resolver.source === "hosts-file" ? "/etc/hosts" : d.resolver.source === "systemd-resolved" ? `systemd-resolved${d.resolver.protocol ? ` (${d.resolver.protocol})` : ""}` : "resolv.conf";
    out.line(`resolver: ${via}${d.resolver.nameservers.length ? `, servers ${d.resolver.nameservers.join(" ")}` : ""}`);
  },
});
