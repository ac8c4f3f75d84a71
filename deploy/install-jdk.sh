#!/usr/bin/env bash
# The local Kafka broker runs on the JDK with jars fetched by Maven: install both if missing
# (Debian/Ubuntu; needs root or sudo).
set -euo pipefail
if command -v java >/dev/null && command -v mvn >/dev/null; then exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing a JDK and Maven (apt-get) for the local Kafka broker" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jdk-headless maven >/dev/null
