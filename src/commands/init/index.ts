import type { AnyCommand } from "../../core/command.js";
import init from "./init.js";

const commands: AnyCommand[] = [init];
export default commands;
