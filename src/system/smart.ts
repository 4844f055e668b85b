// Pure parsers for smartctl's JSON output (smartctl 7.x, `-j`).

/** `smartctl --scan -j`: {"devices": [{"name": "/dev/sda", "info_name", "type", "protocol"}]}. */
export function parseSmartScan(text: string): Array<{ name: string; type: string | null }> {
  const o = JSON.parse(text);
  const devs = Array.isArray(o?.devices) ? o.devices : [];
  return devs.filter((d: any) => typeof d?.name === "string").map((d: any) => ({ name: d.name, type: typeof d.type === "string" ? d.type : null }));
}

export interface SmartHealth {
  device: string;
  model: string | null;
  passed: boolean | null;
  temperatureC: number | null;
  /** smartctl's exit status bit mask (bit 3: disk failing, bit 4/5: prefail/usage attributes, ...). */
  exitStatus: number | null;
}

/** `smartctl -H -A -i -j DEV`. */
export function parseSmartHealth(text: string, device: string): SmartHealth {
  const o = JSON.parse(text);
  const passed = o?.smart_status && typeof o.smart_status.passed === "boolean" ? o.smart_status.passed : null;
  return {
    device: o?.device?.name ?? device,
    model: o?.model_name ?? o?.model_family ?? null,
    passed,
    temperatureC: typeof o?.temperature?.current === "number" ? o.temperature.current : null,
    exitStatus: typeof o?.smartctl?.exit_status === "number" ? o.smartctl.exit_status : null,
  };
}
