// The PATH argument of every `nixi file` command, checked lexically when the command starts (a path
// outside /srv/<name>/ is a policy refusal, exit 4, like a volume outside /srv).
import { NixiError } from "../core/errors.js";
import { parseSrvPath, type SrvPath } from "./boundary.js";

export function srvPathOf(raw: string, opts: { sub?: string } = {}): SrvPath {
  const p = parseSrvPath(raw);
  if (opts.sub && p.parts.length === 0) {
    throw new NixiError("PATH_OUTSIDE_SRV", `refused to ${opts.sub} ${p.path} itself`, `name a file or folder inside it; \`nixi container remove ${p.name} --purge\` deletes the whole folder`);
  }
  return p;
}
