PY ?= .venv/bin/python
.PHONY: install run test lint fuzz-explore soak two-instances client faults slow-clients replicas pgbouncer ten-instances browser bench

install:
	python3 -m venv .venv && .venv/bin/pip install -q -r requirements/dev.txt

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	.venv/bin/pytest

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .

# The pass/fail scenarios (loadtest/scenarios/), each `$(PY) -m loadtest.scenarios.<module>`;
# ARGS="..." passes options (SOAK_ARGS too, for the soak). Those marked root start servers of
# their own (never the machine's) as the postgres user.
#   soak            mixed load through gunicorn on PostgreSQL + Redis (needs wrk), then a data check;
#                   the README shows a long, saturated run
#   two-instances   two gunicorn instances sharing one PostgreSQL and one Redis agree exactly (about 30 s)
#   client          a client generated from the live schema (openapi-python-client, module
#                   generated_client) registers, logs in, lists, writes (about 20 s)
#   faults          faults under load on a Redis and a PostgreSQL of its own (about a minute; root)
#   slow-clients    slow clients held open against gunicorn behind Debian's nginx (apt-get install nginx):
#                   reads stay fast (< 1 min; root)
#   replicas        read replicas on our own primary + hot standby (2 s apply delay): routing,
#                   read-your-writes, lag, failover (< 1 min; root)
#   pgbouncer       the API through Debian's pgbouncer in transaction mode (DB_POOLER=pgbouncer):
#                   smoke walk, load, dumpdata (< 1 min; root)
#   ten-instances   ten instances x 1 worker on one PostgreSQL whose max_connections is their budget + 3:
#                   within it under load (< 1 min; root)
SCENARIOS := soak two-instances client faults slow-clients replicas pgbouncer ten-instances
scenario_module = $(if $(filter client,$(1)),generated_client,$(subst -,_,$(1)))

$(SCENARIOS): install
	$(PY) -m loadtest.scenarios.$(call scenario_module,$@) $(if $(filter soak,$@),$(SOAK_ARGS)) $(ARGS)

# Headless Chromium (apt-get install chromium) against a live gunicorn; screenshots land in docs/img/.
browser: install
	.venv/bin/pytest -m browser tests/browser

# The benchmark suite (docs/PERFORMANCE.md): e.g. make bench BENCH_ARGS="--scales small,large"
bench: install
	$(PY) -m benchmarks.suite $(BENCH_ARGS)

# Schema fuzzing with new random cases (CI runs the deterministic gate: python -m loadtest.scenarios.fuzz); about 20 min.
fuzz-explore: install
	$(PY) -m loadtest.scenarios.fuzz --explore --max-time 600
