// Login and group names as NixOS and shadow-utils accept them (no zod: rendering and timers use it too).
export const USER_NAME_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
