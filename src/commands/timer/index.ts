import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import status from "./status.js";
import enable from "./enable.js";
import disable from "./disable.js";
import create from "./create.js";
import remove from "./remove.js";

const commands: AnyCommand[] = [list, status, enable, disable, create, remove];
export default commands;
