# Newswire: `make demo` runs the main job locally, `make test` runs the tests.
# Both set everything up first (a .venv at the repo root; Kafka jars from Maven Central).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lock demo demo-feeds test test-tools lint bench bench-stream clean

setup: $(STAMP)

# Every dependency comes from requirements/dev.lock (pinned, with hashes; the same pins as the
# image's requirements/runtime.lock plus the dev tools), the project itself without them.
$(STAMP): pyproject.toml requirements/dev.lock requirements/runtime.lock
	@command -v java >/dev/null && command -v mvn >/dev/null || bash deploy/install-jdk.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Regenerates the lock files from pyproject.toml (run it after changing a dependency there).
# uv rather than pip-tools: uv resolves for a stated target (CPython 3.11 on linux x86_64, the
# python:3.11-slim image) whatever Python or machine runs it, where pip-compile resolves for the
# interpreter it runs in; and it is one binary, pinned in dev.lock like every other tool.
# Pins already in a lock are kept unless they must change; `make lock LOCK_FLAGS=--upgrade`
# moves everything to the newest allowed versions. runtime.lock is resolved within dev.lock's
# pins, so the tests run against exactly the versions the image ships.
LOCK_FLAGS ?=
LOCK_TARGET := --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock" --quiet $(LOCK_FLAGS)
lock: setup
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev --extra devbroker \
		--extra model $(LOCK_TARGET) -o requirements/dev.lock
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra model \
		-c requirements/dev.lock $(LOCK_TARGET) -o requirements/runtime.lock

demo: setup
	bash deploy/demo.sh

# Feeds end to end: a local web site's RSS, Atom and JSON feeds polled into enriched records.
demo-feeds: setup
	bash deploy/demo-feeds.sh

lint: setup
	$(BIN)/ruff check service tests bench examples
	$(BIN)/ruff format --check service tests bench examples

test-tools:
	@bash deploy/install-prometheus.sh
	@bash deploy/install-kcat.sh
	@bash deploy/install-compose.sh

test: setup lint test-tools
	$(BIN)/pytest -ra

bench: setup
	$(BIN)/python bench/bench_core.py

bench-stream: setup
	$(BIN)/python bench/bench_stream.py

clean:
	-$(BIN)/newswire broker stop
	rm -rf .kafka/data-* .newswire out bench/results
