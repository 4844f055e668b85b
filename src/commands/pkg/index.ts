import type { AnyCommand } from "../../core/command.js";

const commands: AnyCommand[] = [];
export default commands;
