import type { AnyCommand } from "../../core/command.js";
import audit from "./audit.js";
import harden from "./harden.js";

const commands: AnyCommand[] = [audit, harden];
export default commands;
