#!/usr/bin/env bash
# apt-install.sh PACKAGE FOR WITHOUT: install a Debian package the tests need, if apt-get is
# there (root or sudo). FOR says what it is for, WITHOUT what happens if it cannot be
# installed; both are printed. Never fails: the tests that need the package say so themselves.
set -uo pipefail
PACKAGE="$1" FOR="$2" WITHOUT="$3"
if ! command -v apt-get >/dev/null; then
  echo "$PACKAGE not installed (no apt-get): install it by hand, or $WITHOUT" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing $PACKAGE (apt-get) for $FOR" >&2
# No service start in a container without an init system (the prometheus package would try):
# policy-rc.d refuses it.
if [ ! -e /usr/sbin/policy-rc.d ] && [ -z "$SUDO" ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE" \
  >/dev/null || echo "$PACKAGE could not be installed: $WITHOUT" >&2
exit 0
