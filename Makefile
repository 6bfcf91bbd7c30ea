# IdeaHub: `make run` starts the app on SQLite with demo data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV_ENV := IDEAHUB_ENV=development

.PHONY: install run test test-sqlite lint format bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(DEV_ENV) $(BIN)/ideahub db upgrade
	$(DEV_ENV) $(BIN)/ideahub seed-demo
	@echo ""
	@echo "IdeaHub is starting on http://127.0.0.1:5000  (Ctrl+C stops it)"
	$(DEV_ENV) $(BIN)/ideahub run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

test-sqlite: install
	IDEAHUB_TEST_ENGINES=sqlite $(BIN)/pytest

lint: install
	$(BIN)/ruff check ideahub tests bench wsgi.py
	$(BIN)/ruff format --check ideahub tests bench wsgi.py

format: install
	$(BIN)/ruff format ideahub tests bench wsgi.py
	$(BIN)/ruff check --fix ideahub tests bench wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

# Benchmarks (README.md, Benchmarks): fill a database, index it, load it with wrk beside a bare Flask app.
BENCH_DB ?= sqlite:///$(CURDIR)/bench/data/bench.sqlite3
BENCH_INDEX ?= $(CURDIR)/bench/data/search-index
bench: install
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 2; }
	$(BIN)/python bench/generate.py --database-url "$(BENCH_DB)" --scale $${BENCH_SCALE:-1.0} || true
	IDEAHUB_ENV=development IDEAHUB_DATABASE_URL="$(BENCH_DB)" IDEAHUB_SEARCH_INDEX_DIR="$(BENCH_INDEX)" \
		$(BIN)/ideahub reindex
	$(BIN)/python bench/run.py --database-url "$(BENCH_DB)" --index-dir "$(BENCH_INDEX)" --duration $${BENCH_SECONDS:-10}
