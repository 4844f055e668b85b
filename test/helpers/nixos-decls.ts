// The NixOS options nix/module.nix sets, declared as NixOS declares them (types from
// ../shared/nixos/nixos-options.json), for lib.evalModules with the real nixpkgs lib.
export const NIXOS_DECLS = `{ lib, ... }: with lib; {
  options = {
    assertions = mkOption { type = types.listOf types.unspecified; default = [ ]; };
    environment.systemPackages = mkOption { type = types.listOf types.package; default = [ ]; };
    environment.etc = mkOption { type = types.attrsOf (types.submodule { options.text = mkOption { type = types.lines; }; }); default = { }; };
    users.users = mkOption { type = types.attrsOf (types.submodule { options = {
      isSystemUser = mkOption { type = types.bool; default = false; };
      group = mkOption { type = types.str; default = ""; };
      home = mkOption { type = types.path; default = "/var/empty"; };
      createHome = mkOption { type = types.bool; default = false; };
      description = mkOption { type = types.str; default = ""; };
    }; }); default = { }; };
    users.groups = mkOption { type = types.attrsOf (types.submodule { }); default = { }; };
    systemd.tmpfiles.rules = mkOption { type = types.listOf types.str; default = [ ]; };
    security.sudo.extraRules = mkOption { default = [ ]; type = types.listOf (types.submodule { options = {
      users = mkOption { type = types.listOf (types.either types.str types.int); default = [ ]; };
      commands = mkOption { type = types.listOf (types.either types.str (types.submodule { options = {
        command = mkOption { type = types.str; };
        options = mkOption { type = types.listOf (types.enum [ "NOPASSWD" "PASSWD" "NOEXEC" "EXEC" "SETENV" "NOSETENV" "LOG_INPUT" "NOLOG_INPUT" "LOG_OUTPUT" "NOLOG_OUTPUT" ]); default = [ ]; };
      }; })); };
    }; }); };
    systemd.services = mkOption { default = { }; type = types.attrsOf (types.submodule { options = {
      description = mkOption { type = types.str; default = ""; };
      path = mkOption { type = types.listOf (types.either types.package types.str); default = [ ]; };
      script = mkOption { type = types.lines; default = ""; };
      serviceConfig = mkOption { type = types.attrsOf types.unspecified; default = { }; };
    }; }); };
    systemd.timers = mkOption { default = { }; type = types.attrsOf (types.submodule { options = {
      wantedBy = mkOption { type = types.listOf types.str; default = [ ]; };
      timerConfig = mkOption { type = types.attrsOf types.unspecified; default = { }; };
    }; }); };
    virtualisation.docker.enable = mkOption { type = types.bool; default = false; };
    virtualisation.podman.enable = mkOption { type = types.bool; default = false; };
    test.imported = mkOption { type = types.bool; default = false; };
  };
}`;
