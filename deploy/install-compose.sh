#!/usr/bin/env bash
# tests/unit/test_compose_config.py runs the real `docker compose config` on the compose files
# (no Docker engine is needed for that). Where the Docker Compose v2 plugin is missing and Go is
# there, build it from the Go module proxy (pinned; ~3 minutes the first time, then cached) into
# ~/.docker/cli-plugins, where the docker client looks for it.
set -uo pipefail
VERSION=v2.29.7
if docker compose version >/dev/null 2>&1; then exit 0; fi
PLUGIN="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose"
if ! command -v go >/dev/null; then
  echo "docker compose missing and no Go to build it: the compose config test will fail" >&2
  exit 0
fi
echo "building docker compose $VERSION (go install) for the compose config test" >&2
GOBIN="$(mktemp -d)"
if GOBIN="$GOBIN" GOFLAGS=-mod=mod go install "github.com/docker/compose/v2/cmd@$VERSION"; then
  mkdir -p "$(dirname "$PLUGIN")" && mv "$GOBIN/cmd" "$PLUGIN" && chmod +x "$PLUGIN"
else
  echo "building docker compose failed: the compose config test will fail" >&2
fi
rm -rf "$GOBIN"
exit 0
