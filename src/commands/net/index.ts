import type { AnyCommand } from "../../core/command.js";
import interfaces from "./interfaces.js";
import routes from "./routes.js";
import listen from "./listen.js";
import ping from "./ping.js";
import resolve from "./resolve.js";
import check from "./check.js";
import trace from "./trace.js";

const commands: AnyCommand[] = [interfaces, routes, listen, ping, resolve, check, trace];
export default commands;
