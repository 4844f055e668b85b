import { matching } from "../core/check.js";
import { IFNAME } from "./state.js";

export const InterfaceName = matching(IFNAME, "not a network interface name (1-15 letters, digits, . _ - @ :)");
