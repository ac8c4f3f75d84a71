#!/usr/bin/env bash
# The monitoring tests run a real Prometheus server and promtool: install Debian's prometheus
# package if they are missing. Without it the tests that need the binaries are skipped with a
# message saying so; nothing else depends on it.
set -uo pipefail
command -v prometheus >/dev/null && command -v promtool >/dev/null && exit 0
exec bash "$(dirname "$0")/apt-install.sh" prometheus "the monitoring tests" \
  "the monitoring tests are skipped"
