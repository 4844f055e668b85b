import type { AnyCommand } from "../../core/command.js";
import completion from "./completion.js";

const commands: AnyCommand[] = [completion];
export default commands;
