import type { AnyCommand } from "../../core/command.js";
import show from "./show.js";
import search from "./search.js";

const commands: AnyCommand[] = [show, search];
export default commands;
