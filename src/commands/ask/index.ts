import type { AnyCommand } from "../../core/command.js";
import ask from "./ask.js";

// `ask eval` is reached through `ask` (first word "eval"), so it is not listed here.
const commands: AnyCommand[] = [ask];
export default commands;
