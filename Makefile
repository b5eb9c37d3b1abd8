# Every target says what it does in its `## ` comment; `make` (or `make help`) lists them.
PY ?= .venv/bin/python
.DEFAULT_GOAL := help
.PHONY: help install install-base run test lint fmt migrate shell superuser clean browser bench fuzz-explore \
	soak two-instances client faults slow-clients replicas pgbouncer ten-instances

help: ## list the targets (this text)
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## create .venv with everything: serving, tests, lint, checks (requirements/dev.txt)
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements/dev.txt

install-base: ## create .venv with only what serving needs (requirements/base.txt)
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements/base.txt

run: install-base ## migrate, seed the demo data and serve http://127.0.0.1:8000 (runserver)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install ## the whole test suite (pytest; DATABASE_URL / REDIS_URL choose PostgreSQL / Redis)
	.venv/bin/pytest

lint: ## ruff check, ruff format --check, mypy (after make install)
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .

fmt: ## ruff's fixes, then ruff format (after make install)
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

migrate: install-base ## apply migrations (db.sqlite3, or DATABASE_URL)
	$(PY) manage.py migrate --noinput

shell: install-base ## Django's shell
	$(PY) manage.py shell

superuser: install-base ## create an admin user (asks; or DJANGO_SUPERUSER_* with ARGS=--noinput)
	$(PY) manage.py createsuperuser $(ARGS)

clean: ## remove caches and collected static files; DB=1 also removes db.sqlite3
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .schemathesis staticfiles .coverage htmlcov
	$(if $(DB),rm -f db.sqlite3 db.sqlite3-journal db.sqlite3-shm db.sqlite3-wal)

# The pass/fail scenarios (loadtest/scenarios/), each `$(PY) -m loadtest.scenarios.<module>`;
# ARGS="..." passes options (SOAK_ARGS too, for the soak). Those marked root start servers of
# their own (never the machine's) as the postgres user.
soak: ## mixed load through gunicorn on PostgreSQL + Redis (needs wrk), then a data check
two-instances: ## two gunicorn instances sharing one PostgreSQL and one Redis agree exactly (~30 s)
client: ## generated clients: openapi-python-client + mypy --strict on a typed flow run live, openapi-typescript + tsc (~1 min)
faults: ## faults under load on a Redis and a PostgreSQL of its own (~1 min; root)
slow-clients: ## slow clients against gunicorn behind Debian's nginx: reads stay fast (< 1 min; root)
replicas: ## read replicas on our own primary + hot standby: routing, lag, failover (< 1 min; root)
pgbouncer: ## the API through Debian's pgbouncer in transaction mode (< 1 min; root)
ten-instances: ## ten instances x 1 worker within PostgreSQL's connection budget under load (< 1 min; root)
SCENARIOS := soak two-instances client faults slow-clients replicas pgbouncer ten-instances
scenario_module = $(if $(filter client,$(1)),generated_client,$(subst -,_,$(1)))

$(SCENARIOS): install
	$(PY) -m loadtest.scenarios.$(call scenario_module,$@) $(if $(filter soak,$@),$(SOAK_ARGS)) $(ARGS)

browser: install ## headless Chromium (apt-get install chromium) against gunicorn; screenshots to docs/img/
	.venv/bin/pytest -m browser tests/browser

bench: install ## the benchmark suite (docs/PERFORMANCE.md), e.g. BENCH_ARGS="--scales small,large"
	$(PY) -m benchmarks.suite $(BENCH_ARGS)

fuzz-explore: install ## schema fuzzing with new random cases, ~20 min (CI runs the deterministic gate)
	$(PY) -m loadtest.scenarios.fuzz --explore --max-time 600
