// Reading AMD GPUs from sysfs (amdgpu): /sys/class/drm/cardN/device/{vendor,device,uevent,
// gpu_busy_percent,mem_busy_percent,mem_info_vram_total,mem_info_vram_used,product_name,hwmon/hwmonM/*}.
import type { Ctx } from "../core/context.js";

export const AMD_VENDOR_ID = "0x1002";

export interface AmdCard {
  card: string;
  pciSlot: string | null;
  pciId: string | null;
  deviceId: string | null;
  driver: string | null;
  productName: string | null;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  busyPercent: number | null;
  memoryBusyPercent: number | null;
  temperatureCelsius: number | null;
  powerWatts: number | null;
}

/** sysfs reads can fail with EBUSY/EIO/EPERM on some attributes: treat like a missing file. */
const rd = (ctx: Ctx, path: string) => ctx.exec.readFile(path).catch(() => null);

const int = (s: string | null): number | null => {
  if (s === null) return null;
  const t = s.trim();
  return /^-?\d+$/.test(t) ? Number(t) : null;
};

function uevent(text: string | null): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of (text ?? "").split("\n")) {
    const i = l.indexOf("=");
    if (i > 0) o[l.slice(0, i)] = l.slice(i + 1).trim();
  }
  return o;
}

/** The amdgpu hwmon folder of a card: temperature (millidegrees) and power (microwatts). */
async function hwmon(ctx: Ctx, dev: string): Promise<{ temperatureCelsius: number | null; powerWatts: number | null }> {
  const names = (await ctx.exec.readdir(`${dev}/hwmon`).catch(() => [] as string[])).filter((n) => /^hwmon\d+$/.test(n)).sort();
  for (const h of names) {
    const base = `${dev}/hwmon/${h}`;
    // edge temperature is temp1; power1_average (older kernels) or power1_input (newer)
    const temp = int(await rd(ctx, `${base}/temp1_input`));
    const power = int(await rd(ctx, `${base}/power1_average`)) ?? int(await rd(ctx, `${base}/power1_input`));
    if (temp === null && power === null) continue;
    return { temperatureCelsius: temp === null ? null : temp / 1000, powerWatts: power === null ? null : power / 1e6 };
  }
  return { temperatureCelsius: null, powerWatts: null };
}

/** AMD GPUs (vendor 0x1002) under /sys/class/drm, in card order. */
export async function readAmdCards(ctx: Ctx): Promise<AmdCard[]> {
  const entries = await ctx.exec.readdir("/sys/class/drm").catch(() => [] as string[]);
  const cards = entries.filter((n) => /^card\d+$/.test(n)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const out: AmdCard[] = [];
  for (const card of cards) {
    const dev = `/sys/class/drm/${card}/device`;
    const vendor = (await rd(ctx, `${dev}/vendor`))?.trim().toLowerCase();
    if (vendor !== AMD_VENDOR_ID) continue;
    const ue = uevent(await rd(ctx, `${dev}/uevent`));
    const hw = await hwmon(ctx, dev);
    out.push({
      card,
      pciSlot: ue.PCI_SLOT_NAME ?? null,
      pciId: ue.PCI_ID ?? null,
      deviceId: (await rd(ctx, `${dev}/device`))?.trim() ?? null,
      driver: ue.DRIVER ?? null,
      productName: (await rd(ctx, `${dev}/product_name`))?.trim() || null,
      memoryTotalBytes: int(await rd(ctx, `${dev}/mem_info_vram_total`)),
      memoryUsedBytes: int(await rd(ctx, `${dev}/mem_info_vram_used`)),
      busyPercent: int(await rd(ctx, `${dev}/gpu_busy_percent`)),
      memoryBusyPercent: int(await rd(ctx, `${dev}/mem_busy_percent`)),
      ...hw,
    });
  }
  return out;
}
