# nixi as a Nix package: buildNpmPackage with nixpkgs' importNpmLock (see nix/README.md for why).
#
# package-lock.json carries no `resolved` URLs (npm here omits them) and this repository names no
# package registry host. importNpmLock fetches each dependency with fetchurl from its `resolved`
# URL and its `integrity` hash, so the URL of every entry is derived here from name + version on a
# registry that comes from nixpkgs itself (the `npm` list of nixpkgs' fetchurl mirrors), or from
# the `npmRegistry` argument. The integrity hash from the lockfile pins every tarball, so the
# build is reproducible whichever registry (or mirror) serves the bytes.
{
  lib,
  path,
  buildNpmPackage,
  importNpmLock,
  nodejs,
  installShellFiles,
  npmRegistry ? (
    let
      mirrors = import (path + "/pkgs/build-support/fetchurl/mirrors.nix");
    in
    if mirrors ? npm && mirrors.npm != [ ] then lib.head mirrors.npm else null
  ),
}:
let
  root = ../.;
  packageJson = lib.importJSON (root + "/package.json");
  lock = lib.importJSON (root + "/package-lock.json");

  registry =
    if npmRegistry == null then
      throw ''
        nixi: package-lock.json has no `resolved` URLs and this nixpkgs has no `npm` fetchurl mirror.
        Pass the registry you use: callPackage ./nix/package.nix { npmRegistry = "https://<your registry>/"; }
        (or, with the flake, override packages.<system>.default with .override { npmRegistry = ...; }).''
    else
      lib.removeSuffix "/" npmRegistry;

  # "node_modules/a/node_modules/@s/b" -> "@s/b"; an alias entry says its real name in `name`.
  nameOf = key: entry: entry.name or (lib.last (lib.splitString "node_modules/" key));
  tarball = name: version: "${registry}/${name}/-/${lib.last (lib.splitString "/" name)}-${version}.tgz";
  withResolved =
    key: entry:
    if key == "" || entry ? resolved || entry ? link || !(entry ? integrity) || !(entry ? version) then
      entry
    else
      entry // { resolved = tarball (nameOf key entry) entry.version; };
  packageLock = lock // { packages = lib.mapAttrs withResolved lock.packages; };

  # What the build reads, and everything of package.json's `files` that it does not make (dist/):
  # the prompt set and the option catalog in catalog/ are read at run time.
  sourcePaths = [
    "package.json"
    "package-lock.json"
    "tsconfig.json"
    "LICENSE"
    "README.md"
    "bin"
    "catalog"
    "src"
    "scripts"
    "completions"
    "man"
    "schema"
    "nix/sudo-rules.json"
  ];
  fileset = lib.fileset.unions (map (p: root + "/${p}") sourcePaths);
in
buildNpmPackage {
  pname = "nixi";
  version = packageJson.version;

  src = lib.fileset.toSource { inherit root fileset; };

  inherit nodejs;
  npmDeps = importNpmLock {
    npmRoot = root;
    inherit packageLock;
  };
  npmConfigHook = importNpmLock.npmConfigHook;
  npmBuildScript = "build";

  nativeBuildInputs = [ installShellFiles ];

  # The generated files must equal what the registry makes now (CI checks the same in git).
  preBuild = ''
    node scripts/gen-completions.mjs --check
  '';

  # Everything nixi runs (nixos-rebuild, systemctl, nix, journalctl, podman/docker, mount, nft, ...)
  # is part of NixOS or comes with the service that needs it; SSH is the ssh2 library. So nothing
  # is wrapped onto PATH here (makeWrapper would pin this closure's copies over the system's).
  postInstall = ''
    installShellCompletion --bash --name nixi completions/nixi.bash
    installShellCompletion --zsh --name _nixi completions/_nixi
    installShellCompletion --fish --name nixi.fish completions/nixi.fish
    installManPage man/*.[0-9]
  '';

  passthru = { inherit packageLock sourcePaths; };

  meta = {
    description = packageJson.description;
    license = lib.licenses.mit;
    mainProgram = "nixi";
    platforms = lib.platforms.linux;
  };
}
