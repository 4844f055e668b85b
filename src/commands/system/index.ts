import type { AnyCommand } from "../../core/command.js";
import rebuild from "./rebuild.js";

const commands: AnyCommand[] = [rebuild];
export default commands;
