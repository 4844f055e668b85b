// The option-path checker used on every generated module.
import { describe, expect, it } from "vitest";
import { checkOptionPaths, isKnownOptionPath, valueFitsType } from "../helpers/options.js";

describe("checkOptionPaths", () => {
  it("accepts real paths with values of the right type", () => {
    expect(
      checkOptionPaths({
        networking: { firewall: { enable: true, allowedTCPPorts: [22, 8080], allowedUDPPortRanges: [{ from: 60000, to: 61000 }], interfaces: { eth0: { allowedTCPPorts: [80] } } } },
        virtualisation: { "oci-containers": { backend: "podman", containers: { web: { image: "nginx:1.27", ports: ["8080:80"], volumes: ["/srv/web/data:/data"], environmentFiles: ["/srv/.credentials/web.env"] } } } },
        environment: { systemPackages: ["<pkg:htop>", "<pkg:python3Packages.requests>"] },
        nix: { settings: { "experimental-features": ["nix-command", "flakes"], "auto-optimise-store": true, "some-freeform-key": 3 } },
        services: { openssh: { enable: true, settings: { PasswordAuthentication: false, PermitRootLogin: "no", MaxAuthTries: 3 } } },
        users: { users: { alice: { isNormalUser: true, extraGroups: ["wheel"], openssh: { authorizedKeys: { keys: ["ssh-ed25519 AAAA alice"] } } } } },
        fileSystems: { "/srv/data": { device: "/dev/sdb1", fsType: "ext4", options: ["nofail"] } },
        systemd: { services: { backup: { script: "echo hi", serviceConfig: { Type: "oneshot", User: "root" }, startAt: "daily" } } },
        boot: { kernelModules: ["kvm-intel"], blacklistedKernelModules: { nouveau: true } },
        hardware: { graphics: { enable: true }, nvidia: { open: true, package: "<pkg:linuxPackages.nvidiaPackages.stable>" } },
      }),
    ).toEqual([]);
  });

  it("looks through mkIf / mkDefault / mkMerge", () => {
    expect(
      checkOptionPaths({
        networking: { firewall: { _type: "if", condition: true, content: { enable: { _type: "override", priority: 1000, content: true } } } },
        services: { _type: "merge", contents: [{ openssh: { enable: true } }, { fail2ban: { enable: true } }] },
      }),
    ).toEqual([]);
    expect(checkOptionPaths({ networking: { firewall: { _type: "if", condition: "yes", content: {} } } })).toEqual([
      "mkIf condition at networking.firewall is not a boolean",
    ]);
    expect(checkOptionPaths({ services: { _type: "merge", contents: [{ nope: { enable: true } }] } })).toEqual(["unknown option path services.nope"]);
  });

  it("catches an unknown path", () => {
    expect(checkOptionPaths({ networking: { firewall: { allowedTCPPort: [80] } } })).toEqual(["unknown option path networking.firewall.allowedTCPPort"]);
    expect(checkOptionPaths({ virtualisation: { "oci-containers": { containers: { web: { imag: "x" } } } } })).toEqual([
      "unknown option path virtualisation.oci-containers.containers.web.imag",
    ]);
    expect(checkOptionPaths({ nixi: { anything: 1 } })).toEqual(["unknown option path nixi"]);
    // A prefix of options is not an option.
    expect(checkOptionPaths({ networking: { firewall: true } })[0]).toMatch(/^unknown option path networking.firewall \(it is a prefix/);
  });

  it("catches renamed and removed paths", () => {
    expect(checkOptionPaths({ hardware: { opengl: { enable: true } } })).toEqual([
      "renamed/removed option hardware.opengl.enable -> hardware.graphics.enable [renamed]",
    ]);
    expect(checkOptionPaths({ hardware: { opengl: { driSupport: true } } })[0]).toMatch(/^renamed\/removed option hardware.opengl.driSupport -> .*removed/);
    expect(checkOptionPaths({ services: { openssh: { passwordAuthentication: false } } })).toEqual([
      "renamed/removed option services.openssh.passwordAuthentication -> services.openssh.settings.PasswordAuthentication [renamed]",
    ]);
    expect(checkOptionPaths({ users: { users: { bob: { passwordFile: "/run/x" } } } })[0]).toMatch(
      /^renamed\/removed option users.users.bob.passwordFile -> users.users.<name>.hashedPasswordFile/,
    );
    expect(checkOptionPaths({ "docker-containers": { web: { image: "x" } } })[0]).toMatch(/^renamed\/removed option docker-containers/);
  });

  it("catches type mismatches", () => {
    expect(checkOptionPaths({ networking: { firewall: { enable: "yes" } } })).toEqual(['type mismatch at networking.firewall.enable: "yes" is not boolean']);
    expect(checkOptionPaths({ networking: { firewall: { allowedTCPPorts: ["80"] } } })[0]).toMatch(/^type mismatch at networking.firewall.allowedTCPPorts/);
    expect(checkOptionPaths({ networking: { firewall: { allowedTCPPorts: [70000] } } })[0]).toMatch(/^type mismatch/);
    expect(checkOptionPaths({ virtualisation: { "oci-containers": { backend: "lxc" } } })[0]).toMatch(/^type mismatch at virtualisation.oci-containers.backend/);
    expect(checkOptionPaths({ users: { users: { a: { uid: 1.5 } } } })[0]).toMatch(/^type mismatch at users.users.a.uid/);
    expect(checkOptionPaths({ services: { openssh: { settings: { MaxAuthTries: [1] } } } })[0]).toMatch(/^type mismatch at services.openssh.settings.MaxAuthTries/);
    expect(checkOptionPaths({ virtualisation: { "oci-containers": { containers: { web: { environment: { A: 1 } } } } } })[0]).toMatch(/type mismatch/);
  });

  it("rough type descriptions", () => {
    expect(valueFitsType(null, "null or string")).toBe(true);
    expect(valueFitsType(["a"], "(attribute set of boolean) or (list of string) convertible to it")).toBe(true);
    expect(valueFitsType({ a: true }, "(attribute set of boolean) or (list of string) convertible to it")).toBe(true);
    expect(valueFitsType(3, "(attribute set of boolean) or (list of string) convertible to it")).toBe(false);
    expect(valueFitsType("lock", 'one of false, true, "lock"')).toBe(true);
    expect(valueFitsType("x", "one of “podman”, “docker”")).toBe(false);
    expect(valueFitsType(["daily"], "(optionally newline-terminated) single-line string or list of string")).toBe(true);
    expect(valueFitsType(1, "(optionally newline-terminated) single-line string or list of string")).toBe(false);
  });

  it("isKnownOptionPath", () => {
    expect(isKnownOptionPath("services.nginx.enable")).toBe(true);
    expect(isKnownOptionPath("nix.settings.experimental-features")).toBe(true);
    expect(isKnownOptionPath("services.nginx.enabel")).toBe(false);
    expect(isKnownOptionPath("hardware.opengl.enable")).toBe(false);
    expect(isKnownOptionPath("services.nginx")).toBe(false);
  });
});
