# Two commands on a fresh machine: `make run` (the demo) and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
DBT_MANIFEST := dbt/target/manifest.json

.PHONY: run test install lint format ui ui-screenshot chromium bench dbt-docs clean

# uv itself comes from PyPI, pinned, into a local folder: nothing else on the machine is assumed.
.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (CI, containers), Python would otherwise
# compile Dagster, dbt and Great Expectations from source in every process of every run (5 s in the main one).
$(BIN)/akhbar: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(BIN)/akhbar $(DBT_MANIFEST)

$(DBT_MANIFEST): $(BIN)/akhbar $(shell find dbt -name '*.sql' -o -name '*.yml' 2>/dev/null | grep -v '^dbt/target')
	cd dbt && DUCKDB_PATH=$${DUCKDB_PATH:-../data/warehouse.duckdb} ../$(BIN)/dbt parse --quiet --profiles-dir .
	@touch $@

run: install
	$(BIN)/akhbar demo --home data

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/dagster definitions validate -w workspace.yaml
	$(BIN)/pytest

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The UI on a home (the demo's unless UI_HOME says otherwise); on a fresh clone it first runs the demo, so the
# UI opens on a lineage with a run. Nothing is taken from PATH: the launcher runs this venv's Dagster and dbt.
UI_HOME ?= data
UI_SITES ?= $(UI_HOME)/demo-sites.yaml
UI_PORT ?= 3000
DEMO_PORT ?= 8642
ui: install
	test -f $(UI_SITES) || $(BIN)/akhbar demo --home $(UI_HOME) --port $(DEMO_PORT)
	$(BIN)/python -m etl.ui serve --home $(UI_HOME) --sites $(UI_SITES) --port $(UI_PORT)

dbt-docs: install
	cd dbt && DUCKDB_PATH=$${DUCKDB_PATH:-../data/warehouse.duckdb} ../$(BIN)/dbt docs generate --profiles-dir .

bench: install
	$(BIN)/python bench/throughput.py

clean:
	rm -rf data dbt/target dbt/logs .pytest_cache

# Debian's Chromium (no browser download), for the browser check of the UI and the screenshot of its lineage.
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# A PNG of the lineage page of the demo's Dagster UI.
ui-screenshot: install chromium
	test -f data/demo-sites.yaml || $(BIN)/akhbar demo --home data
	$(BIN)/python -m tools.browser screenshot --home data --out docs/lineage.png
