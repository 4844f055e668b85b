# Shared by the system fakes (systemctl, journalctl, nixos-rebuild, nix, ...): sourced, not run.
# Env: NIXI_FAKE_LOG       file that gets one line per invocation: "<prog> <args, shell-quoted>"
#      NIXI_FAKE_FIXTURES  fixture folder (default: ../fixtures/system next to this folder)
#      NIXI_FAKE_STATE     folder for state kept between calls (channels, ...); default: none (stateless)
FAKE_PROG=$(basename "$0")
FAKE_DIR=$(cd "$(dirname "$0")" && pwd)
FIX=${NIXI_FAKE_FIXTURES:-$FAKE_DIR/../fixtures/system}
if [ -n "${NIXI_FAKE_LOG:-}" ]; then
  { printf '%s' "$FAKE_PROG"; for a in "$@"; do printf ' %q' "$a"; done; printf '\n'; } >> "$NIXI_FAKE_LOG"
fi
# NIXI_FAKE_ARGV: also append the exact argv, one record per call: RS (0x1e) then the words separated by NUL.
if [ -n "${NIXI_FAKE_ARGV:-}" ]; then
  { printf '\036%s' "$FAKE_PROG"; for a in "$@"; do printf '\0%s' "$a"; done; } >> "$NIXI_FAKE_ARGV"
fi
die_unknown() {
  echo "FAKE $FAKE_PROG: unsupported argument: $1 (full argv: $*)" >&2
  exit 99
}
