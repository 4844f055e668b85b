// The sshd_config of the bench nodes (bench/remote.mjs, bench/fanout.mjs): key login only, no PAM,
// and PATH/HOME set for the session so the node's fake programs are found and the machine's own
// shell start-up files are not part of what is measured.
export function sshdConfigText({ listen, hostKey, pidFile, authorizedKeys, path, home, extra = [] }) {
  return (
    [
      `ListenAddress ${listen}`,
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "UsePAM no",
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      ...extra,
      "PrintMotd no",
      `SetEnv PATH=${path} HOME=${home}`,
    ].join("\n") + "\n"
  );
}
