// Pure parsers for nixos-rebuild, nix, nix-env and nix-channel output.

export interface Generation {
  generation: number;
  /** ISO 8601 (UTC when the source gives no zone). */
  date: string | null;
  nixosVersion: string | null;
  kernelVersion: string | null;
  configurationRevision: string | null;
  specialisations: string[];
  current: boolean;
}

const unknown = (v: unknown) => (typeof v === "string" && v !== "" && v !== "Unknown" ? v : null);

/** "2024-11-07 23:54:17" is the machine's local time (nixos-rebuild prints no zone): ISO 8601 without a zone.
 *  `generations()` replaces it by the exact UTC time of the profile link when it can read it. */
export function generationDate(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(v);
  return m ? `${m[1]}T${m[2]}` : null;
}

/** `nixos-rebuild list-generations --json`: [{generation, date, nixosVersion, kernelVersion, configurationRevision, specialisations, current}]. */
export function parseGenerationsJson(text: string): Generation[] {
  const arr = JSON.parse(text);
  if (!Array.isArray(arr)) throw new Error("nixos-rebuild list-generations --json: expected an array");
  return arr
    .map((g: any) => ({
      generation: Number(g.generation),
      date: generationDate(g.date),
      nixosVersion: unknown(g.nixosVersion),
      kernelVersion: unknown(g.kernelVersion),
      configurationRevision: unknown(g.configurationRevision),
      specialisations: Array.isArray(g.specialisations) ? g.specialisations.map(String) : [],
      current: g.current === true,
    }))
    .filter((g) => Number.isInteger(g.generation))
    .sort((a, b) => b.generation - a.generation);
}

/** "system-42-link" -> 42 (the profile links in /nix/var/nix/profiles). */
export function profileLinkNumber(name: string, profile = "system"): number | null {
  const m = new RegExp(`^${profile}-(\\d+)-link$`).exec(name);
  return m ? Number(m[1]) : null;
}

export interface NixPackage {
  attr: string;
  pname: string | null;
  version: string | null;
  description: string | null;
}

/** `nix search INSTALLABLE REGEX --json`: {"legacyPackages.x86_64-linux.hello": {pname, version, description}}. */
export function parseNixSearchJson(text: string): NixPackage[] {
  const o = JSON.parse(text || "{}");
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("nix search --json: expected an object");
  return Object.entries(o).map(([key, v]: [string, any]) => ({
    attr: key.replace(/^(legacyPackages|packages)\.[^.]+\./, ""),
    pname: v?.pname ?? null,
    version: v?.version || null,
    description: v?.description || null,
  }));
}

/** `nix-env -qaP --json --meta`: {"nixos.hello": {name, pname, version, system, outputName, outputs, meta: {description}}}.
 *  With the default expression the attribute path starts with the channel name; pass `channelPrefix` to strip it. */
export function parseNixEnvJson(text: string, stripFirst = false): NixPackage[] {
  const o = JSON.parse(text || "{}");
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("nix-env --json: expected an object");
  return Object.entries(o).map(([key, v]: [string, any]) => ({
    attr: stripFirst ? key.replace(/^[^.]+\./, "") : key,
    pname: v?.pname ?? null,
    version: v?.version || null,
    description: v?.meta?.description || null,
  }));
}

export interface Channel {
  name: string;
  url: string;
}

/** `nix-channel --list`: "NAME URL" lines. */
export function parseChannelList(text: string): Channel[] {
  const out: Channel[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(\S+)\s*$/.exec(line.trim());
    if (m) out.push({ name: m[1], url: m[2] });
  }
  return out;
}

/** Space freed as printed by nix-collect-garbage / nix-store --gc: "1234 store paths deleted, 567.89 MiB freed". */
export function parseGcFreed(text: string): { paths: number | null; freedBytes: number | null } {
  const m = /(\d+) store paths deleted, ([\d.]+) (B|KiB|MiB|GiB|TiB) freed/.exec(text);
  if (!m) return { paths: null, freedBytes: null };
  const mult = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[m[3] as "B"];
  return { paths: Number(m[1]), freedBytes: Math.round(Number(m[2]) * mult) };
}
