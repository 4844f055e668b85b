// gpu.nix: NVIDIA (hardware.nvidia.*, videoDrivers, container toolkit) and AMD (hardware.amdgpu.*)
// from [gpu.nvidia] / [gpu.amd]. Only option names that exist in NixOS 24.11 and later:
// hardware.graphics.* (not the old hardware.opengl.*), and boot.initrd.kernelModules for amdgpu
// in the initrd (hardware.amdgpu.initrd.enable was renamed to kernelModule.inInitrd).
import type { Area } from "../areas.js";
import { NixRef, type NixValue } from "../render.js";
import { readAmd, readNvidia } from "../../gpu/state.js";
import { unfreeModule } from "../../gpu/unfree.js";

export const gpuArea: Area = {
  key: "gpu",
  file: "gpu.nix",
  render(_section, state) {
    const nv = readNvidia(state);
    const amd = readAmd(state);
    if (!nv && !amd) return null;
    const graphics: Record<string, NixValue> = { enable: true };
    if (nv?.graphics32bit || amd?.graphics32bit) graphics.enable32Bit = true;
    const hardware: Record<string, NixValue> = { graphics };
    const body: Record<string, NixValue> = { hardware };
    if (nv) {
      // The X server option also selects the kernel module, headless or not.
      body.services = { xserver: { videoDrivers: ["nvidia"] } };
      const n: Record<string, NixValue> = {
        // No default from driver 560 on: always explicit.
        open: nv.open,
        modesetting: { enable: nv.modesetting },
        powerManagement: { enable: nv.powerManagement },
        nvidiaSettings: nv.settingsTool,
      };
      if (nv.persistenced) n.nvidiaPersistenced = true;
      if (nv.driver) n.package = new NixRef("config", `boot.kernelPackages.nvidiaPackages.${nv.driver}`);
      hardware.nvidia = n;
      if (nv.containerToolkit) hardware["nvidia-container-toolkit"] = { enable: true };
      // The driver's unfree licence, allowed for exactly its packages (and the legacy licence when accepted).
      body.imports = [unfreeModule(nv)];
    }
    if (amd) {
      if (amd.opencl) hardware.amdgpu = { opencl: { enable: true } };
      if (amd.initrd) body.boot = { initrd: { kernelModules: ["amdgpu"] } };
    }
    return body;
  },
};
