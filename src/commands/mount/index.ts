import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import devices from "./devices.js";
import mount from "./mount.js";
import persist from "./persist.js";
import unmount from "./unmount.js";

const commands: AnyCommand[] = [list, devices, mount, persist, unmount];
export default commands;
