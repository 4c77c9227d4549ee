# Everything installs itself: the only prerequisites are Python 3.11+ and make.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# Copy rather than hard-link from uv's cache (no "failed to hardlink" warning across file
# systems), and say nothing of what was installed unless it fails.
export UV_LINK_MODE := copy
export UV_NO_PROGRESS := 1
# What `make run` needs: the runtime dependencies and the `run` group (the embedded
# PostgreSQL), not the test tools (pytest, Playwright, mypy, ...). `--inexact` keeps a full
# development environment intact when it is already there.
RUN_GROUPS := --no-dev --group run
UV_RUN := $(UV) run --locked --quiet $(RUN_GROUPS)

.PHONY: install install-run run stop migrate test lint format openapi schema clean bench faults

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

install: $(UV) ## everything: the service, the embedded PostgreSQL and the test tools
	@mkdir -p .data
	$(UV) sync --locked --quiet

install-run: $(UV) ## only what `make run` needs
	@mkdir -p .data
	@$(UV) sync --locked --quiet --inexact $(RUN_GROUPS)

run: install-run ## start the service (embedded PostgreSQL unless DATABASE_URL is set)
	@$(UV_RUN) python -m service serve

stop: install-run ## stop an embedded PostgreSQL left running in .data (by a killed `make run`)
	@$(UV_RUN) python -m service stop-database

migrate: install-run
	@$(UV_RUN) python -m service migrate

test: install ## the whole suite against a real PostgreSQL and a real SMTP server
	$(UV) run --locked pytest

lint: install
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked mypy
	$(UV) run --locked hadolint Dockerfile

format: install
	$(UV) run --locked ruff format .
	$(UV) run --locked ruff check --fix .

openapi: install ## rewrite openapi/openapi.json from the code
	$(UV) run --locked python -m service openapi --output openapi/openapi.json

schema: install ## rewrite sql/schema.sql from the migrations
	$(UV) run --locked python -m tests.support.schema

bench: install ## load benchmarks, ~12 minutes (BENCH_ARGS=--quick: one round); prints ratios, writes bench/results.json and reports/bench-clients.json
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(UV) run --locked python -m bench.accounts $(BENCH_ARGS)
	$(UV) run --locked python -m bench.clients $(BENCH_ARGS)

faults: install ## inject real faults (database, mail server, processes); writes reports/faults.json
	$(UV) run --locked python -m faults

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
