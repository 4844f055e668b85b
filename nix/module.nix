# The NixOS module services.nixi (see nix/README.md). nixi's folder /etc/nixos/nixi is imported
# when it exists, so `nixi init` is not needed on a machine that uses this module.
import ./services-nixi.nix { nixiFolder = "/etc/nixos/nixi"; }
