import type { AnyCommand } from "../../core/command.js";
import show from "./show.js";
import diff from "./diff.js";
import set from "./set.js";
import unset from "./unset.js";
import get from "./get.js";

const commands: AnyCommand[] = [show, diff, set, unset, get];
export default commands;
