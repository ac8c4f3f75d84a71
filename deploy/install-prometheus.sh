#!/usr/bin/env bash
# The monitoring tests run a real Prometheus server and promtool: install Debian's prometheus
# package if they are missing and apt-get is there (root or sudo). Without it the tests that
# need the binaries are skipped with a message saying so; nothing else depends on it.
set -uo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "prometheus not installed (no apt-get): its tests will be skipped" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing prometheus (apt-get) for the monitoring tests" >&2
# No service start in a container without an init system: policy-rc.d refuses it.
if [ ! -e /usr/sbin/policy-rc.d ] && [ -z "$SUDO" ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus \
  >/dev/null || echo "prometheus could not be installed: its tests will be skipped" >&2
exit 0
