#!/usr/bin/env bash
# The consumer tests (tests/integration/test_consumers.py) run the README's kcat one-liner
# against the test broker: install Debian's kcat package (librdkafka's command-line client,
# formerly kafkacat) if it is missing and apt-get is there (root or sudo). Unlike Prometheus,
# kcat is not optional: without it those tests fail, saying how to install it.
set -uo pipefail
if command -v kcat >/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "kcat not installed (no apt-get): install it by hand, or the consumer tests fail" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing kcat (apt-get) for the consumer tests" >&2
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends kcat \
  >/dev/null || echo "kcat could not be installed: the consumer tests will fail" >&2
exit 0
