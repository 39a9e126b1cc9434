# Two entry points: `make demo` (set up, then build the EU and US atlases) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out
CLUSTERATLAS_DATA ?= $(abspath ../shared/data)
export CLUSTERATLAS_DATA

.PHONY: demo test lint bench setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/clusteratlas demo --output $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint
	@bash scripts/system-deps.sh
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_mapping.py
	$(BIN)/python benchmarks/bench_points.py
	$(BIN)/python benchmarks/bench_relatedness.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
