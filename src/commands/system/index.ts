import type { AnyCommand } from "../../core/command.js";
import info from "./info.js";
import generations from "./generations.js";
import health from "./health.js";
import rebuild from "./rebuild.js";
import rollback from "./rollback.js";
import reboot from "./reboot.js";
import upgrade from "./upgrade.js";
import gc from "./gc.js";

const commands: AnyCommand[] = [info, generations, health, rebuild, rollback, reboot, upgrade, gc];
export default commands;
