import type { AnyCommand } from "../../core/command.js";
import nvidiaStatus from "./nvidia/status.js";
import nvidiaUtilization from "./nvidia/utilization.js";
import nvidiaEnable from "./nvidia/enable.js";
import nvidiaDisable from "./nvidia/disable.js";
import nvidiaConfigure from "./nvidia/configure.js";
import amdStatus from "./amd/status.js";
import amdUtilization from "./amd/utilization.js";
import amdEnable from "./amd/enable.js";
import amdDisable from "./amd/disable.js";
import amdConfigure from "./amd/configure.js";

const commands: AnyCommand[] = [nvidiaStatus, nvidiaUtilization, nvidiaEnable, nvidiaDisable, nvidiaConfigure, amdStatus, amdUtilization, amdEnable, amdDisable, amdConfigure];
export default commands;
