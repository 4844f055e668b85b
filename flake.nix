{
  description = "nixi: manage NixOS machines from the shell";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      overlays.default = final: _prev: { nixi = final.callPackage ./nix/package.nix { }; };

      packages = forAll (system: pkgs: rec {
        nixi = pkgs.callPackage ./nix/package.nix { };
        default = nixi;
      });

      apps = forAll (system: _pkgs: {
        default = { type = "app"; program = "${self.packages.${system}.nixi}/bin/nixi"; };
      });

      # The module with this flake's package as the default of services.nixi.package.
      nixosModules = rec {
        nixi = { pkgs, lib, ... }: {
          imports = [ ./nix/module.nix ];
          services.nixi.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.nixi;
        };
        default = nixi;
      };

      devShells = forAll (system: pkgs: {
        default = pkgs.mkShell {
          # node for the build and tests; the programs the tests use for real (see .ci/run)
          packages = with pkgs; [
            nodejs nix nftables iproute2 iptables podman runc openssh util-linux e2fsprogs
            zsh fish tmux bash-completion groff man-db hyperfine git
          ];
        };
      });

      checks = forAll (system: pkgs:
        let
          eval = nixpkgs.lib.nixosSystem {
            inherit system;
            modules = [
              self.nixosModules.default
              {
                boot.isContainer = true;
                system.stateVersion = "25.05";
                services.nixi = {
                  enable = true;
                  nodes = [ { name = "web1"; host = "10.0.0.5"; tags = [ "web" ]; } ];
                  healthCheck.enable = true;
                };
              }
            ];
          };
          cfg = eval.config;
        in
        {
          package = self.packages.${system}.nixi;
          # The module evaluates in a real NixOS system: its config.toml, sudo rules, units and /etc.
          module = pkgs.runCommand "nixi-module-eval" {
            toml = cfg.environment.etc."nixi/config.toml".text;
            sudo = builtins.toJSON cfg.security.sudo.extraRules;
            unit = cfg.systemd.units."nixi-health.service".text or "";
            timer = cfg.systemd.units."nixi-health.timer".text or "";
            etc = cfg.system.build.etc;
          } ''
            grep -q 'name = "web1"' <<<"$toml"
            grep -q NOPASSWD <<<"$sudo"
            grep -q 'OnCalendar=hourly' <<<"$timer"
            grep -q 'Type=oneshot' <<<"$unit"
            test -e "$etc/etc/nixi/config.toml"
            touch $out
          '';
        });
    };
}
