import { z } from "zod";
import { IFNAME } from "./state.js";

export const InterfaceName = z.string().regex(IFNAME, "not a network interface name (1-15 letters, digits, . _ - @ :)");
