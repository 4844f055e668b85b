// The system layer of config.toml: /etc/nixi/config.toml, written by the NixOS module
// (services.nixi.nodes / settings). The user's own config.toml is merged over it.
// NIXI_SYSTEM_CONFIG names another file; set to "" it turns the layer off.

export const SYSTEM_CONFIG = "/etc/nixi/config.toml";

export function systemConfigPath(env: NodeJS.ProcessEnv): string | null {
  const p = env.NIXI_SYSTEM_CONFIG;
  if (p === undefined) return SYSTEM_CONFIG;
  return p === "" ? null : p;
}

const isTable = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** `over` merged onto `base`: tables key by key, [[nodes]] by name (the user's entry wins whole), anything else replaced. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (k === "nodes" && Array.isArray(b) && Array.isArray(v)) {
      const names = new Set(v.map((n: any) => n?.name));
      out[k] = [...b.filter((n: any) => !names.has(n?.name)), ...v];
    } else if (isTable(b) && isTable(v)) out[k] = mergeConfig(b, v);
    else out[k] = v;
  }
  return out;
}
