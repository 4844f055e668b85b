import { z } from "zod";

/** Linux interface names: at most 15 bytes, no slash or whitespace. */
export const InterfaceName = z.string().regex(/^[A-Za-z0-9_.@:-]{1,15}$/, "not a network interface name (1-15 letters, digits, . _ - @ :)");
