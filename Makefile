# Two commands from a fresh clone (see README):  make demo   /   make test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint install rules-doc clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python scripts/fetch_connectors.py  # Kafka/JDBC connector jars from a pinned PyPI wheel
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/shiftleft transpile examples/orders.sql
	$(BIN)/shiftleft migrate examples/dbt_shop --out build/pipelines

# Static checks first: a lint finding fails the run before the (longer) tests start.
# The tests run on TEST_WORKERS pytest-xdist processes, each its own pytest session with its
# own JVM; worksteal gives each worker a contiguous share of the tests (a file's tests stay
# together, so do its fixtures) and a worker that runs out takes half of another's remaining.  TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# ruff (bugs and dead imports; rule set in pyproject.toml), mypy (types; pyproject.toml),
# dead code (vulture through scripts/deadcode.py).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python scripts/deadcode.py

rules-doc: install
	$(BIN)/python scripts/update_readme_rules.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist
