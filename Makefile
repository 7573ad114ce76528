# Two commands: `make demo` runs the main job on the fixtures, `make test` runs the tests.
# Both create .venv and install the project (with its dev, semantic and postgres extras)
# on first use; the stamp file makes a second run skip the install.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= sqlite:///./provenance.db

.PHONY: install demo test test-postgres lint typecheck format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic,postgres]'
	touch $(STAMP)

install: $(STAMP)

# Idempotent: a second run finds every fixture unchanged and adds no article, revision or
# alignment (tests/test_demo.py). The README's "a week in three commands" names a week of it.
demo: $(STAMP)
	$(BIN)/provenance --db $(DB) init
	$(BIN)/provenance --db $(DB) ingest fixtures/
	$(BIN)/provenance --db $(DB) stats
	$(BIN)/provenance --db $(DB) link --all
	$(BIN)/provenance --db $(DB) align --all
	@if [ -t 0 ] && [ -t 1 ]; then \
		$(BIN)/provenance --db $(DB) review; \
	else \
		$(BIN)/provenance --db $(DB) audit; \
	fi

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

# The suite again on PostgreSQL (needs PROVENANCE_TEST_PG_URL): every test that takes its
# database from a fixture runs on a database of its own on that server.
test-postgres: $(STAMP)
	PROVENANCE_TEST_BACKEND=postgresql $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over provenance/ and tui/ (pyproject.toml [tool.mypy]); it gates `make test` too.
# Column expressions are typed with sqlmodel.col(); a `type: ignore` names its one error code.
typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/align.py
	$(BIN)/python bench/link.py

clean:
	rm -rf $(VENV) provenance.db provenance.db-wal provenance.db-shm .pytest_cache .ruff_cache .mypy_cache
