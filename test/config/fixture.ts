// Test roots for config/init tests: a fake machine "/" with /etc/nixos/configuration.nix.
import { createHash } from "node:crypto";
import { mkdtemp, mkdir, readdir, readFile, lstat, writeFile, readlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { tempDir } from "../helpers/tree.js";

export const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
const SCHEMA = JSON.parse(await readFile(fileURLToPath(new URL("../../schema/envelope.schema.json", import.meta.url)), "utf8"));
const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
const validate = ajv.compile(SCHEMA);

/** Throws with the schema errors when `json` is not a valid envelope. */
export function assertEnvelope(json: unknown): void {
  if (!validate(json)) throw new Error(`envelope does not match schema/envelope.schema.json: ${JSON.stringify(validate.errors)}\n${JSON.stringify(json)}`);
}

export const CONFIGURATION_NIX = `# Edit this configuration file to define what should be installed on
# your system. Help is available in the configuration.nix(5) man page.
{ config, pkgs, ... }:

{
  imports =
    [ # Include the results of the hardware scan.
      ./hardware-configuration.nix
    ];

  boot.loader.systemd-boot.enable = true;
  networking.hostName = "web1"; # Define your hostname.
  users.users.alice = {
    isNormalUser = true;
    initialPassword = "hunter2-initial";
  };
  system.stateVersion = "24.11";
}
`;

/** CONFIGURATION_NIX after `nixi init`: a rebuild contains nixi's changes. */
export const INITIALISED_CONFIGURATION_NIX = CONFIGURATION_NIX.replace("./hardware-configuration.nix\n", "./hardware-configuration.nix\n      ./nixi\n");
export const initialisedRoot = () => makeRoot({ "etc/nixos/configuration.nix": INITIALISED_CONFIGURATION_NIX });

export async function makeRoot(files: Record<string, string> = { "etc/nixos/configuration.nix": CONFIGURATION_NIX }): Promise<string> {
  const root = tempDir("nixi-root-");
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(root, p, ".."), { recursive: true });
    await writeFile(join(root, p), c);
  }
  return root;
}

/** Hash of every path, type, mode and content under dir (to prove nothing changed). */
export async function hashTree(dir: string): Promise<string> {
  const h = createHash("sha256");
  const walk = async (d: string, rel: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await lstat(p);
      h.update(`${rel}/${name}\0${st.mode}\0`);
      if (st.isDirectory()) await walk(p, `${rel}/${name}`);
      else if (st.isSymbolicLink()) h.update(await readlink(p));
      else h.update(await readFile(p));
    }
  };
  await walk(dir, "");
  return h.digest("hex");
}

export async function readLog(path: string): Promise<string[]> {
  try {
    return (await readFile(path, "utf8")).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
