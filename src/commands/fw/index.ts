import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import open from "./open.js";
import close from "./close.js";

const commands: AnyCommand[] = [list, open, close];
export default commands;
