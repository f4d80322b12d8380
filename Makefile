# Two commands on a fresh Debian/Ubuntu machine with Python 3.11:
#   make run    set everything up and serve the dashboard, the self-hosted Data API, a worker and Redis
#   make test   set everything up and run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_EMAIL ?= demo@example.com
BENCHMARKS ?= upload.py tiles.py catalog_search.py catalog_page.py mosaics_proxy.py uploads_pipeline.py saved_searches.py
# The dashboard talks to the self-hosted Data API of the site it serves, wherever that is.
export DATA_API_URL ?= http://$(HOST):$(PORT)/rest

.PHONY: run test venv redis migrate demo bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

redis:
	scripts/ensure-redis

migrate: venv
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_setup --email $(DEMO_EMAIL) --url http://$(HOST):$(PORT)

run: venv redis demo
	scripts/run-local $(HOST) $(PORT)

test: venv redis
	scripts/ensure-browser
	mkdir -p var
	$(BIN)/lint-imports  # the design's diagram (pyproject.toml [tool.importlinter])
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv redis
	$(BIN)/pip install -q -e '.[dev,bench]'
	@for b in $(BENCHMARKS); do echo "== $$b"; $(BIN)/python bench/$$b || exit 1; done

clean:
	rm -rf $(VENV) var staticfiles
