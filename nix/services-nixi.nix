# services.nixi. `nixiFolder` is nixi's folder (state.toml and the modules nixi generates); it is
# imported when it has a default.nix. Imports cannot depend on `config`, so this happens whether or
# not services.nixi.enable is set, and only in impure evaluation (pure flake evaluation cannot look
# at /etc; a flake configuration imports ./nixi itself, as `nixi init` would write).
{ nixiFolder }:
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types optional optionals optionalAttrs concatStringsSep concatMapStringsSep mapAttrsToList;
  cfg = config.services.nixi;

  # The sudo rules `nixi node setup` writes, generated from src/nixos/node-setup.ts at build time.
  sudoRules = builtins.fromJSON (builtins.readFile ./sudo-rules.json);
  runtime = if (config.virtualisation.docker.enable or false) && !(config.virtualisation.podman.enable or false) then "docker" else "podman";

  # TOML, rendered here (not with pkgs.formats.toml) so the text is known at evaluation time.
  tomlKey = k: if builtins.match "[A-Za-z0-9_-]+" k != null then k else builtins.toJSON k;
  tomlValue = v:
    if builtins.isBool v then (if v then "true" else "false")
    else if builtins.isInt v then toString v
    else if builtins.isFloat v then builtins.toJSON v
    else if builtins.isString v then builtins.toJSON v
    else if builtins.isList v then "[ " + concatMapStringsSep ", " tomlValue v + " ]"
    else throw "services.nixi: cannot write ${builtins.typeOf v} to config.toml";
  tomlTable = attrs: concatStringsSep "" (mapAttrsToList (k: v: "${tomlKey k} = ${tomlValue v}\n") attrs);

  askSection = optionalAttrs (cfg.ask.model != null) { model = cfg.ask.model; } // optionalAttrs (cfg.ask.host != null) { host = cfg.ask.host; };
  sections = lib.filterAttrs (_: v: v != { }) (cfg.settings // { ask = (cfg.settings.ask or { }) // askSection; });
  nodeToml = n: "\n[[nodes]]\n" + tomlTable ({ inherit (n) name host port user mode; } // optionalAttrs (n.tags != [ ]) { inherit (n) tags; });
  configToml =
    "# Written by the NixOS module services.nixi; your own ~/.config/nixi/config.toml is merged over it.\n"
    + concatStringsSep "" (mapAttrsToList (name: t: "\n[${tomlKey name}]\n" + tomlTable t) sections)
    + concatMapStringsSep "" nodeToml cfg.nodes;

  scalar = types.oneOf [ types.bool types.int types.float types.str ];
  nodeName = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";

  nodeModule = types.submodule {
    options = {
      name = mkOption { type = types.str; description = "Name of the node (--node NAME)."; };
      host = mkOption { type = types.str; description = "Host name or address nixi connects to over SSH."; };
      port = mkOption { type = types.port; default = 22; description = "SSH port."; };
      user = mkOption { type = types.str; default = "nixi"; description = "User nixi logs in as."; };
      mode = mkOption { type = types.enum [ "managed" "monitored" ]; default = "managed"; description = "managed: nixi may change it; monitored: read-only."; };
      tags = mkOption { type = types.listOf types.str; default = [ ]; description = "Tags (--tag TAG)."; };
    };
  };

  healthScript = ''
    set -eu
    umask 077
    cfg="$RUNTIME_DIRECTORY/config.toml"
    : > "$cfg"
    if [ -n "''${CREDENTIALS_DIRECTORY:-}" ] && [ -e "$CREDENTIALS_DIRECTORY/webhook" ]; then
      IFS= read -r url < "$CREDENTIALS_DIRECTORY/webhook" || true
      case "$url" in
        http://*|https://*) ;;
        *) echo "nixi-health: the webhook file does not start with http:// or https://" >&2; exit 2 ;;
      esac
      case "$url" in
        *'"'*|*'\'*|*' '*) echo "nixi-health: the webhook URL holds a quote, backslash or space" >&2; exit 2 ;;
      esac
      # printf is a shell builtin: the URL is never on a command line
      printf '[health]\nwebhook = "%s"\n' "$url" > "$cfg"
    fi
    # exit 8 (a check failed) or any other failure fails the unit
    NIXI_CONFIG="$cfg" exec nixi system health
  '';
in
{
  imports = optional (!lib.inPureEvalMode && builtins.pathExists "${nixiFolder}/default.nix") nixiFolder;

  options.services.nixi = {
    enable = mkEnableOption "nixi, the command-line manager for NixOS machines";
    package = mkOption {
      type = types.package;
      default = pkgs.nixi or (pkgs.callPackage ./package.nix { });
      defaultText = lib.literalExpression "pkgs.nixi";
      description = "The nixi package.";
    };
    user = mkOption { type = types.str; default = "nixi"; description = "System user nixi runs as (its home holds the SSH key for the nodes)."; };
    group = mkOption { type = types.str; default = "nixi"; description = "Group of the nixi user."; };
    nodes = mkOption { type = types.listOf nodeModule; default = [ ]; description = "The node inventory, written to /etc/nixi/config.toml."; };
    settings = mkOption {
      type = types.attrsOf (types.attrsOf (types.either scalar (types.listOf scalar)));
      default = { };
      example = lib.literalExpression ''{ rebuild.mode = "switch"; ssh.connect_timeout = 5; health.disk_percent = 85; }'';
      description = "Free-form tables of config.toml ([rebuild], [ssh], [health], [ask], ...); see nixi-config(5).";
    };
    srvDir = mkOption { type = types.str; default = "/srv"; description = "Where container data lives, owned by the nixi user; .credentials inside it is 0700 root."; };
    sudoRules.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Let the nixi user run exactly the programs and argument shapes nixi uses through sudo (the rules `nixi node setup` writes).";
    };
    healthCheck = {
      enable = mkEnableOption "a systemd timer running `nixi system health`";
      onCalendar = mkOption { type = types.str; default = "hourly"; description = "When to run the check (systemd.time(7))."; };
      webhookFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/run/secrets/nixi-webhook";
        description = "File holding the webhook URL POSTed to when a check fails. Read at run time (systemd LoadCredential); never copied into the Nix store.";
      };
    };
    ask = {
      model = mkOption { type = types.nullOr types.str; default = null; example = "qwen2.5:7b"; description = "Ollama model for `nixi ask` ([ask] model)."; };
      host = mkOption { type = types.nullOr types.str; default = null; example = "http://127.0.0.1:11434"; description = "Ollama server for `nixi ask` ([ask] host); e.g. services.ollama on this machine."; };
    };
  };

  config = mkIf cfg.enable {
    assertions =
      let
        names = map (n: n.name) cfg.nodes;
        wf = cfg.healthCheck.webhookFile;
      in
      [
        { assertion = lib.length names == lib.length (lib.unique names); message = "services.nixi.nodes: node names must be unique (${concatStringsSep ", " names})"; }
        { assertion = lib.all (n: builtins.match nodeName n != null) names; message = "services.nixi.nodes: a node name is 1-63 letters, digits, '.', '_' or '-' (${concatStringsSep ", " names})"; }
        { assertion = lib.all (n: lib.all (t: builtins.match nodeName t != null) n.tags) cfg.nodes; message = "services.nixi.nodes: a tag is 1-63 letters, digits, '.', '_' or '-'"; }
        { assertion = cfg.srvDir == "/srv"; message = "services.nixi.srvDir = ${cfg.srvDir}: nixi keeps container data under /srv (its volumes and sudo rules name it); other folders are not supported"; }
        { assertion = !(cfg.sudoRules.enable && cfg.user == "root"); message = "services.nixi: user = \"root\" needs no sudo rules; set services.nixi.sudoRules.enable = false"; }
        { assertion = wf == null || cfg.healthCheck.enable; message = "services.nixi.healthCheck.webhookFile is set but healthCheck.enable is false"; }
        { assertion = wf == null || (lib.hasPrefix "/" wf && !lib.hasPrefix builtins.storeDir wf); message = "services.nixi.healthCheck.webhookFile must be an absolute path outside the Nix store (the URL is a secret), not ${toString wf}"; }
        { assertion = !(cfg.ask.host != null && cfg.settings ? ask && cfg.settings.ask ? host && cfg.settings.ask.host != cfg.ask.host); message = "services.nixi: ask.host and settings.ask.host disagree; set one"; }
        { assertion = !(cfg.ask.model != null && cfg.settings ? ask && cfg.settings.ask ? model && cfg.settings.ask.model != cfg.ask.model); message = "services.nixi: ask.model and settings.ask.model disagree; set one"; }
        { assertion = !(cfg.settings ? rebuild && cfg.settings.rebuild ? mode) || lib.elem cfg.settings.rebuild.mode [ "switch" "test" "boot" ]; message = "services.nixi.settings.rebuild.mode must be switch, test or boot"; }
      ];

    environment.systemPackages = [ cfg.package ];
    environment.etc."nixi/config.toml".text = configToml;

    users.users = optionalAttrs (cfg.user != "root") {
      ${cfg.user} = { isSystemUser = true; group = cfg.group; home = "/var/lib/nixi"; createHome = true; description = "nixi"; };
    };
    users.groups = optionalAttrs (cfg.group != "root") { ${cfg.group} = { }; };

    systemd.tmpfiles.rules = [
      "d ${cfg.srvDir} 0755 ${cfg.user} ${cfg.group} - -"
      "d ${cfg.srvDir}/.credentials 0700 root root - -"
    ];

    security.sudo.extraRules = optionals (cfg.sudoRules.enable && cfg.user != "root") [
      { users = [ cfg.user ]; commands = map (command: { inherit command; options = [ "NOPASSWD" ]; }) sudoRules.commands.${runtime}; }
    ];

    systemd.services.nixi-health = mkIf cfg.healthCheck.enable {
      description = "nixi system health";
      path = [ cfg.package ];
      script = healthScript;
      serviceConfig = {
        Type = "oneshot";
        RuntimeDirectory = "nixi-health";
        RuntimeDirectoryMode = "0700";
      } // optionalAttrs (cfg.healthCheck.webhookFile != null) { LoadCredential = "webhook:${cfg.healthCheck.webhookFile}"; };
    };
    systemd.timers.nixi-health = mkIf cfg.healthCheck.enable {
      wantedBy = [ "timers.target" ];
      timerConfig = { OnCalendar = cfg.healthCheck.onCalendar; Persistent = true; };
    };
  };
}
