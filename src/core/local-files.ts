// Files of the controller itself (config.toml, nixi's known_hosts): real paths where nixi runs,
// never under --root and never on a node, so they do not go through an Executor.
import { NixiError } from "./errors.js";

/** The file's text, or null when it does not exist. */
export async function readLocalText(path: string): Promise<string | null> {
  const { readFileSync } = await import("node:fs");
  try {
    return readFileSync(path, "utf8");
  } catch (e: any) {
    if (e.code === "ENOENT") return null;
    throw new NixiError("FAILED", `cannot read ${path}: ${e.message}`);
  }
}

/** Atomic replace (temp file, fsync, rename) keeping the file's mode (600 when new); folder created 700. */
export async function writeLocalText(path: string, text: string): Promise<void> {
  const { writeFile, rename, mkdir, stat, open, rm } = await import("node:fs/promises");
  const { dirname, basename, join } = await import("node:path");
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const mode = await stat(path).then((s) => s.mode & 0o777, () => 0o600);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, text, { mode });
    const fh = await open(tmp, "r+");
    await fh.sync().finally(() => fh.close());
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
