import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import adopt from "./adopt.js";
import remove from "./remove.js";
import setup from "./setup.js";

const commands: AnyCommand[] = [list, adopt, remove, setup];
export default commands;
