// Process entry of the built CLI: the generated manifest keeps command code out of start-up.
import { main } from "./cli.js";
import { MANIFEST_CATALOG } from "./commands/manifest.gen.js";

// A reader that goes away (`nixi ... | head`) ends the output, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2), { catalog: MANIFEST_CATALOG }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`nixi: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
