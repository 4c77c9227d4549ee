# Everything installs itself: the only prerequisites are Python 3.11+ and make.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_LINK_MODE := copy
export XDG_RUNTIME_DIR ?= $(CURDIR)/.data

.PHONY: install run migrate test lint format openapi schema clean bench faults

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

install: $(UV)
	@mkdir -p .data
	$(UV) sync --locked

run: install ## start the service (embedded PostgreSQL unless DATABASE_URL is set)
	$(UV) run --locked python -m service serve

migrate: install
	$(UV) run --locked python -m service migrate

test: install ## the whole suite against a real PostgreSQL and a real SMTP server
	$(UV) run --locked pytest

lint: install
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked mypy

format: install
	$(UV) run --locked ruff format .
	$(UV) run --locked ruff check --fix .

openapi: install ## rewrite openapi/openapi.json from the code
	$(UV) run --locked python -m service openapi --output openapi/openapi.json

schema: install ## rewrite sql/schema.sql from the migrations
	$(UV) run --locked python -m tests.support.schema

bench: install ## load benchmarks, ~10 minutes (BENCH_ARGS=--quick: one round); prints ratios, writes bench/results.json
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(UV) run --locked python -m bench.accounts $(BENCH_ARGS)

faults: install ## inject real faults (database, mail server, processes); writes reports/faults.json
	$(UV) run --locked python -m faults

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
