import type { AnyCommand } from "../../core/command.js";
import search from "./search.js";
import list from "./list.js";
import install from "./install.js";
import remove from "./remove.js";

const commands: AnyCommand[] = [search, list, install, remove];
export default commands;
