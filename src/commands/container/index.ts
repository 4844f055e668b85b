import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import inspect from "./inspect.js";
import logs from "./logs.js";
import start from "./start.js";
import stop from "./stop.js";
import restart from "./restart.js";
import deploy from "./deploy.js";
import update from "./update.js";
import remove from "./remove.js";
import analyze from "./analyze.js";

const commands: AnyCommand[] = [list, inspect, logs, start, stop, restart, deploy, update, remove, analyze];
export default commands;
