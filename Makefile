# Two entry points: `make demo` (set up, then build the EU and US atlases) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp
# The demo needs neither Spark nor the test tools: a fresh `make demo` installs less.
DEMO_EXTRAS := geo,plot,points,connect,web
OUT ?= out
CLUSTERATLAS_DATA ?= $(abspath ../shared/data)
export CLUSTERATLAS_DATA

.PHONY: demo test test-postgres coverage mutation lint docs bench setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	@touch $(STAMP) $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(DEMO_EXTRAS)]"
	@touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	@if [ -d "$(CLUSTERATLAS_DATA)" ]; then $(BIN)/clusteratlas data use "$(CLUSTERATLAS_DATA)"; fi
	$(BIN)/clusteratlas demo --output $(OUT)
	$(BIN)/clusteratlas meet demo --participants 600 --seed 1 --output $(OUT)/meet

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The registry and API suite runs twice: on SQLite (in the main run) and on a throw-away
# PostgreSQL server (pg_virtualenv creates it, exports PG* variables, then drops it).
PG_TESTS := tests/api tests/unit/test_registry_*.py

# `make docs`: the documentation site into docs/_build/html, warnings as errors (-W), every
# cross-reference checked (-n); the gallery runs on the real data (CLUSTERATLAS_DATA). In
# `make test` it runs after lint, as tests/docs/test_docs_build.py, which also checks the
# internal links, the external assets and that every public name has its page.
DOCS_BUILD := docs/_build

docs: $(STAMP)
	$(BIN)/sphinx-build -b html -W --keep-going -n -q docs $(DOCS_BUILD)/html
	@echo "Documentation: $(DOCS_BUILD)/html/index.html"

# `make test` measures coverage (lines + branches, CLI subprocesses included: [tool.coverage.*]
# in pyproject.toml) over the tests that reach the code without the browser or Spark: unit,
# integration, API and the real-data cluster-definition test. The other e2e, browser, docs and
# Spark tests run after it unmeasured: measuring their subprocesses on the real data made the
# suite too slow for CI's 90 minutes on 2 cores. The floors (tests/coverage_floors.toml, floors
# only go up) are checked last, so a floor failure never hides a failing test.
COVERAGE_DIR := build/coverage
MEASURED_TESTS := tests/unit tests/integration tests/api tests/e2e/test_define_clusters_real.py

test: lint
	@bash scripts/system-deps.sh
	@rm -rf $(COVERAGE_DIR)
	$(BIN)/pytest --cov --cov-report=json --cov-report=html:$(COVERAGE_DIR)/html $(MEASURED_TESTS)
	$(BIN)/pytest $(addprefix --ignore=,$(MEASURED_TESTS))
	@$(MAKE) --no-print-directory test-postgres
	$(BIN)/python scripts/check_coverage.py --report $(COVERAGE_DIR)/coverage.json

# `make coverage`: only the measured part of `make test` and its floor check (the report
# to browse: build/coverage/html/index.html).
coverage: lint
	@rm -rf $(COVERAGE_DIR)
	$(BIN)/pytest --cov --cov-report=json --cov-report=html:$(COVERAGE_DIR)/html $(MEASURED_TESTS)
	$(BIN)/python scripts/check_coverage.py --report $(COVERAGE_DIR)/coverage.json

# `make mutation`: mutmut over the core modules ([tool.mutmut] in pyproject.toml), killed by
# the unit tests without the data mirror; slow (not part of `make test`),
# resumable (mutants/ keeps the results). The report goes to benchmarks/mutation_report.md.
mutation: $(STAMP)
	env -u CLUSTERATLAS_DATA $(BIN)/mutmut run --max-children $$(nproc)
	$(BIN)/python scripts/mutation_report.py --floor 0.9

# The throw-away cluster takes its encoding from the locale: without one (a bare CI shell)
# initdb makes SQL_ASCII, and psycopg then returns bytes for text. C.UTF-8 is always there.
test-postgres: $(STAMP)
	LANG=C.UTF-8 LC_ALL=C.UTF-8 pg_virtualenv -t -o fsync=off sh -c 'DATABASE_URL="postgresql+psycopg://" $(BIN)/pytest -p no:cacheprovider $(PG_TESTS)'

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_mapping.py
	$(BIN)/python benchmarks/bench_points.py
	$(BIN)/python benchmarks/bench_detect_all.py
	$(BIN)/python benchmarks/bench_meet.py
	$(BIN)/python benchmarks/bench_meet_recommend.py
	$(BIN)/python benchmarks/bench_skills.py
	$(BIN)/python benchmarks/bench_relatedness.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_abuse.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache $(COVERAGE_DIR) $(DOCS_BUILD) docs/generated \
		docs/api/packages docs/auto_examples docs/sg_execution_times.rst
