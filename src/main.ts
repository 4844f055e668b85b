// Process entry of the built CLI: the generated manifest keeps command code out of start-up.
import { main } from "./cli.js";
import { MANIFEST_CATALOG } from "./commands/manifest.gen.js";

main(process.argv.slice(2), { catalog: MANIFEST_CATALOG }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`nixi: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
