import type { AnyCommand } from "../../core/command.js";
import list from "./list.js";
import add from "./add.js";
import remove from "./remove.js";
import shell from "./shell.js";
import password from "./password.js";
import lock from "./lock.js";
import unlock from "./unlock.js";
import sshKeyList from "./ssh-key/list.js";
import sshKeyAdd from "./ssh-key/add.js";
import sshKeyRemove from "./ssh-key/remove.js";
import groupsAdd from "./groups/add.js";
import groupsRemove from "./groups/remove.js";

const commands: AnyCommand[] = [list, add, remove, shell, password, lock, unlock, sshKeyList, sshKeyAdd, sshKeyRemove, groupsAdd, groupsRemove];
export default commands;
