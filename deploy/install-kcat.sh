#!/usr/bin/env bash
# The consumer tests (tests/integration/test_consumers.py) run the README's kcat one-liner
# against the test broker: install Debian's kcat package (librdkafka's command-line client,
# formerly kafkacat) if it is missing. Unlike Prometheus, kcat is not optional: without it
# those tests fail, saying how to install it.
set -uo pipefail
command -v kcat >/dev/null && exit 0
exec bash "$(dirname "$0")/apt-install.sh" kcat "the consumer tests" "the consumer tests fail"
