import { z } from "zod";
import { defineCommand } from "../../core/command.js";

export default defineCommand<{ source: string }, any>({
  path: ["container", "analyze"],
  summary: "Print the `nixi container deploy` commands for a compose file, GitHub repository or image (deploys nothing)",
  description:
    "SOURCE is the URL of a docker-compose file, a GitHub repository URL (compose file, README run lines or Dockerfile are looked for), " +
    "or an image reference. Volumes are mapped under /srv/<name>/, secret-looking variables become --env-secret, depends_on is kept. " +
    "Plain http is allowed only to localhost. NIXI_GITHUB_RAW_BASE overrides where raw GitHub files are fetched from.",
  risk: "read",
  controllerOnly: true,
  args: [{ name: "source", description: "compose file URL, GitHub repository URL, or image reference", schema: z.string().min(1).max(2048) }],
  examples: [
    "nixi container analyze https://github.com/acme/shop",
    "nixi container analyze https://example.org/docker-compose.yml",
    "nixi container analyze nginx:1.27",
  ],
  jsonFields: ["source", "kind", "file", "services", "warnings"],
  async run(ctx, { source }) {
    const { analyze, httpFetch } = await import("../../containers/analyze.js");
    const r = await analyze(source, { fetch: httpFetch, githubRawBase: ctx.env.NIXI_GITHUB_RAW_BASE || undefined });
    for (const w of r.warnings) ctx.warn(w);
    return r;
  },
  render(data, out) {
    if (!data.services.length) {
      out.line(out.style.dim("# nothing to deploy"));
      return;
    }
    for (const s of data.services) {
      for (const n of s.notes) out.line(out.style.dim(`# ${s.name}: ${n}`));
      out.line(s.command);
    }
  },
});
