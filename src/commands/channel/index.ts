import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import update from "./update.js";
import add from "./add.js";
import remove from "./remove.js";

const commands: AnyCommand[] = [list, update, add, remove];
export default commands;
