# The README's two commands: `make run` (the suite on the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint selftest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/conformance run

# Everything, the self-test matrix and the end-to-end processes included (what CI runs).
test: $(STAMP)
	$(BIN)/ruff check conformance tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The edit loop: lint, types and the fast tests (no subprocess, no self-test matrix).
check: $(STAMP)
	$(BIN)/ruff check conformance tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow"

selftest: $(STAMP)
	$(BIN)/conformance self-test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
