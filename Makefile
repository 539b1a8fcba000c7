# crisiscell: `make run` serves the demo network, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
CRISISCELL := $(PY) -m crisiscell
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTEST_WORKERS ?= 2

.PHONY: help setup keys migrate demo run serve test lint format typecheck migrations-check pytest \
        bench bench-audit bench-intake bench-board bench-chat bench-evidence bench-api messages clean audit-readme

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

.tools/bin/uv:
	@python=$$(scripts/find-python) || exit 1; \
	  echo "Installing uv $(UV_VERSION) into .tools/ with $$python"; \
	  "$$python" -m venv .tools && .tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@python=$$(scripts/find-python) || exit 1; \
	  $(UV) sync --frozen --python "$$python"
	@touch $@

setup: $(VENV)/.synced keys migrate ## Create the environment, the key ring and the database

keys: $(VENV)/.synced
	@$(CRISISCELL) keys_init

migrate: $(VENV)/.synced
	@$(CRISISCELL) migrate --noinput -v0

demo: setup ## Load the synthetic demo network (idempotent)
	@CRISISCELL_DEMO=1 $(CRISISCELL) demo

run: demo ## Set everything up and serve the demo on http://127.0.0.1:8000
	@CRISISCELL_MANIFEST_STATIC=1 $(CRISISCELL) collectstatic --noinput -v0
	@CRISISCELL_DEMO=1 CRISISCELL_MANIFEST_STATIC=1 $(CRISISCELL) serve

test: setup lint typecheck migrations-check pytest ## Lint, type-check, check migrations, run the tests

lint: $(VENV)/.synced ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.synced ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(VENV)/.synced ## mypy (strict, django-stubs)
	$(VENV)/bin/mypy crisiscell bench

migrations-check: $(VENV)/.synced ## Fail if a model change has no migration
	$(CRISISCELL) makemigrations --check --dry-run

pytest: $(VENV)/.synced ## The test suite only (DATABASE_URL picks the database)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

messages: $(VENV)/.synced ## Extract UI strings into the Urdu catalogue and compile it
	cd crisiscell && ../$(CRISISCELL) makemessages -l ur --no-obsolete --no-location
	cd crisiscell && ../$(CRISISCELL) compilemessages -l ur

audit-readme: $(VENV)/.synced ## Regenerate the list of audit event codes
	$(PY) scripts/audit_readme.py

bench: bench-audit bench-intake bench-board bench-chat bench-evidence bench-api ## Run every benchmark (SQLite; BENCH_DATABASE_URL for PostgreSQL)

bench-audit: setup ## Audit log: append, seal and verify 1,000,000 events
	$(PY) bench/audit.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

bench-intake: setup ## Intake: 100,000 cases, CNIC look-up, case page
	$(PY) bench/intake.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

bench-board: setup ## Board: 500 open cases among 100,000 closed
	$(PY) bench/board.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

bench-chat: setup ## Chat import: 100,000 WhatsApp messages against whatstk
	$(PY) bench/chat_import.py

bench-api: setup ## API: FIR-status updates from 20 concurrent clients on gunicorn (127.0.0.1)
	$(PY) bench/api.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

bench-evidence: setup ## Evidence: court bundle of 200 items / 2,000 movements; storing a 1 GiB file
	$(PY) bench/evidence.py $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

clean: ## Remove the environment and local data (keeps the key ring)
	rm -rf $(VENV) .tools var/static var/*.sqlite3*
