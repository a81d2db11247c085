# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml config/constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c config/constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Migrate, load demo data, ensure an admin login, start the task cluster and the web server.
run: install
	$(BIN)/python -m config.devserver

## The whole test suite (SQLite by default; set DATABASE_URL=postgres://... for PostgreSQL).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint and format check (CI runs this and fails on any finding).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Criteria benchmark (with the rule libraries it compares against); BENCH_ARGS= for the full run.
BENCH_ARGS ?= --quick
bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c config/constraints.txt -e '.[bench]'
	$(BIN)/python -m tests.benchmarks.criteria $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
