import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import read from "./read.js";
import write from "./write.js";
import del from "./delete.js";

const commands: AnyCommand[] = [list, read, write, del];
export default commands;
