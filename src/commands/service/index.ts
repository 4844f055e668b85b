import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import status from "./status.js";
import logs from "./logs.js";
import failed from "./failed.js";
import start from "./start.js";
import stop from "./stop.js";
import restart from "./restart.js";
import enable from "./enable.js";
import disable from "./disable.js";

const commands: AnyCommand[] = [list, status, logs, failed, start, stop, restart, enable, disable];
export default commands;
