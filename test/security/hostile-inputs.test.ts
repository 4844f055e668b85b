// Hostile values on the command line: each is refused with exit 2 (usage) or 4 (policy), the message
// names the value (or the flag, for secrets), and nothing is written and nothing runs.
import { describe, expect, it } from "vitest";
import { writeFileSync, mkdirSync, mkdtempSync, readdirSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helpers/run.js";
import { tempDir, initialisedRoot } from "../helpers/tree.js";

const FAKES = fileURLToPath(new URL("../fakes", import.meta.url));
const LONG = "a".repeat(5000);

// [argv words (without --yes/--root), expected exit code, text the message must contain]
const CASES: Array<[string[], number, string]> = [
  [["container", "deploy", "-x", "--image", "nginx"], 2, ""],
  [["container", "deploy", "--", "--root", "--image", "nginx"], 2, ""],
  [["container", "deploy", "wеb", "--image", "nginx"], 2, "wеb"], // Cyrillic е
  [["container", "deploy", "..", "--image", "nginx"], 2, '".."'],
  [["container", "deploy", "", "--image", "nginx"], 2, '""'],
  [["container", "deploy", LONG, "--image", "nginx"], 2, "invalid name"],
  [["container", "deploy", "web", "--image", "nginx\nx"], 2, "--image"],
  [["container", "deploy", "web", "--image", "--privileged"], 2, "--privileged"],
  [["container", "deploy", "web", "--image", "nginx", "--volume", "../etc:/x"], 4, "../etc:/x"],
  [["container", "deploy", "web", "--image", "nginx", "--volume", "/etc:/x"], 4, "/etc:/x"],
  [["container", "deploy", "web", "--image", "nginx", "--volume", "a\nd /etc 0777 root root -:/x"], 4, "control characters"],
  [["container", "deploy", "web", "--image", "nginx", "--volume", "a b:/x"], 4, "a b"],
  [["container", "deploy", "web", "--image", "nginx", "--volume", "data:/x:rw,exec"], 2, "exec"],
  [["container", "deploy", "web", "--image", "nginx", "--port", "80:80;id"], 2, "80:80;id"],
  [["container", "deploy", "web", "--image", "nginx", "--env-secret", "A-B"], 2, "A-B"],
  [["pkg", "install", "--", "-rf"], 2, "-rf"],
  [["pkg", "install", "htop;rm"], 2, "htop;rm"],
  [["pkg", "install", "with"], 2, "with"],
  [["pkg", "install", "a..b"], 2, "a..b"],
  [["pkg", "install", "${x}"], 2, "${x}"],
  [["timer", "create", "x", "--command", "true", "--on-calendar", "daily\nExecStartPre=/bin/evil"], 2, "daily"],
  [["timer", "create", "x", "--command", "true", "--on-calendar", "-daily"], 2, "-daily"],
  [["timer", "create", "x", "--command", "true", "--on-calendar", "daily", "--user", "root\nx"], 2, "--user"],
  [["timer", "create", "x", "--command", "true", "--on-calendar", "daily", "--description", "a\\"], 2, "description"],
  [["timer", "create", "x", "--command", "a\0b", "--on-calendar", "daily"], 2, "NUL"],
  [["timer", "create", "../x", "--command", "true", "--on-calendar", "daily"], 2, "../x"],
  [["fw", "open", "80", "--interface", "eth0 -j ACCEPT"], 2, "eth0 -j ACCEPT"],
  [["fw", "open", "80;1"], 2, "80;1"],
  [["config", "set", "services.x.enable; y", "true"], 2, "services.x.enable; y"],
  [["config", "set", 'services."${x}".enable', "true", "--dry-run", "--force"], 0, ""],
  [["config", "set", "services.x.password", "hunter2-secret"], 4, "services.x.password"],
  [["channel", "add", "x", "file:///etc/passwd"], 2, "file:///etc/passwd"],
  [["channel", "add", "x y", "https://a"], 2, "x y"],
  [["service", "restart", "--", "--all"], 2, "--all"],
  [["service", "logs", "nginx", "--since", "--rotate"], 2, "--rotate"],
  [["system", "reboot", "--when", "now; id"], 2, "now; id"],
];

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as any).path, e.name));
}

describe("hostile command-line values change nothing", () => {
  it.each(CASES.map(([argv, code, text]) => [JSON.stringify(argv).slice(0, 120), argv, code, text]))("%s", async (_t, argv, code, text) => {
    const root = initialisedRoot("nixi-sec-");
    const log = join(tempDir("nixi-sec-log-"), "fake.log");
    const words = ["--yes", "--json", "--root", root, ...(argv as string[])];
    const r = await run(words, { path: [FAKES], env: { NIXI_FAKE_LOG: log }, stdin: "" });
    expect(r.exitCode, r.stdout + r.stderr).toBe(code);
    if (code === 0) return;
    if (text) expect(r.json?.error?.message ?? r.stderr).toContain(text as string);
    expect(allFiles(root)).toEqual([join(root, "etc/nixos/configuration.nix")]);
    // no program that changes anything ran
    const ran = existsSync(log) ? readFileSync(log, "utf8") : "";
    expect(ran).not.toMatch(/^(nixos-rebuild (switch|boot|test)|systemctl (start|stop|restart|enable|disable)|nix-channel --(add|remove|update)|shutdown|systemd-run)/m);
  });
});
