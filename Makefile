# Newswire: `make demo` runs the main job locally, `make test` runs the tests.
# Both set everything up first (a .venv at the repo root; Kafka jars from Maven Central).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-tools lint bench bench-stream clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v java >/dev/null && command -v mvn >/dev/null || bash deploy/install-jdk.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,model]"
	touch $(STAMP)

demo: setup
	bash deploy/demo.sh

lint: setup
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

test-tools:
	@bash deploy/install-prometheus.sh
	@bash deploy/install-kcat.sh

test: setup lint test-tools
	$(BIN)/pytest -ra

bench: setup
	$(BIN)/python bench/bench_core.py

bench-stream: setup
	$(BIN)/python bench/bench_stream.py

clean:
	-$(BIN)/newswire broker stop
	rm -rf .kafka/data-* .newswire out bench/results
