import { describe, expect, it } from "vitest";
import { makeEnv } from "./_env.js";

describe("service read commands", () => {
  const e = makeEnv();
  it("service list (human and --json)", async () => {
    const h = await e.run("service list");
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/^UNIT\s+LOAD\s+ACTIVE\s+SUB\s+DESCRIPTION/);
    expect(h.stdout).toMatch(/nginx\.service\s+loaded\s+active\s+running\s+Nginx Web Server/);
    expect(e.calls()).toEqual(["systemctl list-units --type=service --all --output=json --no-pager"]);
    const j = await e.run("service list --json --state failed");
    expect(j.exitCode).toBe(0);
    expect(j.json.data).toEqual([{ unit: "postgresql.service", load: "loaded", active: "failed", sub: "failed", description: "PostgreSQL Server" }]);
    expect(e.calls()).toEqual(["systemctl list-units --type=service --all --state=failed --output=json --no-pager"]);
  });
  it("service list --state rejects injection", async () => {
    const r = await e.run(["service", "list", "--state", "running;reboot"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("running;reboot");
    expect(e.calls()).toEqual([]);
  });
  it("service failed", async () => {
    const h = await e.run("service failed");
    expect(h.stdout).toContain("postgresql.service");
    const ok = await e.run("service failed --json", { env: { NIXI_FAKE_FAILED: "none" } });
    expect(ok.json.data).toEqual([]);
    const none = await e.run("service failed", { env: { NIXI_FAKE_FAILED: "none" } });
    expect(none.stdout).toBe("no failed units\n");
    e.calls();
  });
  it("service status", async () => {
    const j = await e.run("service status nginx --json");
    expect(j.exitCode, j.stderr).toBe(0);
    expect(j.json.data).toEqual({
      unit: "nginx.service", description: "Nginx Web Server", load: "loaded", active: "active", sub: "running", enabled: "enabled",
      fragmentPath: "/etc/systemd/system/nginx.service", mainPid: 1234, result: "success", exitStatus: 0, restarts: 0,
      memoryBytes: 14680064, activeSince: "2026-11-21T10:00:00.000Z",
    });
    const h = await e.run("service status nginx");
    expect(h.stdout).toMatch(/^unit:\s+nginx\.service$/m);
    expect(h.stdout).toMatch(/^memory:\s+14\.0 MiB$/m);
    const missing = await e.run("service status nosuch --json");
    expect(missing.exitCode).toBe(1);
    expect(missing.json.error).toMatchObject({ code: "NOT_FOUND", message: "unit nosuch.service not found" });
    const bad = await e.run(["service", "status", "--", "-H"]);
    expect(bad.exitCode).toBe(2);
    e.calls();
  });
  it("service logs: parsed, redacted, --lines and --since passed through", async () => {
    const j = await e.run(["service", "logs", "nginx", "--json", "-n", "3", "--since", "1 hour ago"]);
    expect(j.exitCode, j.stderr).toBe(0);
    expect(e.calls()).toEqual(["journalctl -u nginx.service -o json --no-pager -n 3 --since=1\\ hour\\ ago"]);
    expect(j.json.data.entries).toHaveLength(3);
    expect(j.json.data.entries[0]).toMatchObject({ unit: "nginx.service", identifier: "nginx", pid: 1234, priority: 3 });
    const all = JSON.stringify(j.json);
    expect(all).not.toContain("hunter2");
    expect(all).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    const h = await e.run("service logs nginx");
    expect(h.stdout).toContain("2025-11-21T10:00:00.123Z systemd[1]: Started Nginx Web Server.");
    expect(h.stdout).not.toContain("hunter2");
    // control characters from the journal are shown escaped, never sent to the terminal
    expect(h.stdout).toContain("nginx[1234]: status ok \\x1b[0m\n");
    expect(h.stdout).not.toContain("\x1b");
    const bad = await e.run(["service", "logs", "nginx", "--since", "--all"]);
    expect(bad.exitCode).toBe(2);
    const bad2 = await e.run(["service", "logs", "nginx", "-n", "0"]);
    expect(bad2.exitCode).toBe(2);
    e.calls();
  });
  it("service logs --follow streams entries", async () => {
    const h = await e.run("service logs nginx --follow -n 2");
    expect(h.exitCode, h.stderr).toBe(0);
    expect(e.calls()).toEqual(["journalctl -u nginx.service -o json --no-pager -n 2 -f"]);
    expect(h.stdout.trim().split("\n")).toHaveLength(2);
  });
});

describe("service operate commands", () => {
  const e = makeEnv();
  for (const verb of ["start", "stop", "restart"]) {
    it(`service ${verb}`, async () => {
      const j = await e.run(`service ${verb} nginx --json`);
      expect(j.exitCode, j.stderr).toBe(0);
      expect(j.json).toMatchObject({ ok: true, changed: true, data: { unit: "nginx.service", action: verb } });
      expect(e.calls()).toEqual([
        "systemctl show nginx.service --property=Id\\,LoadState\\,FragmentPath --no-pager",
        `systemctl ${verb} nginx.service`,
        "systemctl show nginx.service --property=Id\\,ActiveState\\,SubState\\,UnitFileState --no-pager",
      ]);
      const h = await e.run(`service ${verb} sshd`);
      expect(h.stdout).toBe(`✓ ${verb} sshd.service: active (running), enabled\n`);
      e.calls();
    });
  }
  it("service enable/disable use --now and point to the declarative switch", async () => {
    const j = await e.run("service enable nginx --json");
    expect(j.exitCode).toBe(0);
    expect(e.calls()[1]).toBe("systemctl enable --now nginx.service");
    expect(j.json.warnings.join("\n")).toContain("nixi config set services.nginx.enable true");
    const d = await e.run("service disable nginx");
    expect(d.exitCode).toBe(0);
    expect(e.calls()[1]).toBe("systemctl disable --now nginx.service");
    expect(d.stderr).toContain("nixi config set services.nginx.enable false");
  });
  it("unknown unit: exit 1, nothing run", async () => {
    const r = await e.run("service restart nosuch --json");
    expect(r.exitCode).toBe(1);
    expect(r.json.error.code).toBe("NOT_FOUND");
    expect(e.calls()).toEqual(["systemctl show nosuch.service --property=Id\\,LoadState\\,FragmentPath --no-pager"]);
  });
  it("a failing systemctl is exit 1 with its message", async () => {
    const r = await e.run("service start nginx", { env: { NIXI_FAKE_SYSTEMCTL_FAIL: "start" } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("Job for nginx.service failed");
    e.calls();
  });
  it("--dry-run runs only reads", async () => {
    const r = await e.run("service restart nginx --dry-run --json");
    expect(r.exitCode).toBe(0);
    expect(r.json.changed).toBe(false);
    expect(r.json.plan.commands).toEqual(["sudo systemctl restart nginx.service"].map((c) => expect.stringContaining("systemctl restart nginx.service")));
    expect(e.calls().some((c) => c.startsWith("systemctl restart"))).toBe(false);
  });
});
