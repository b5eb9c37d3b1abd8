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

# Mixed load through gunicorn on PostgreSQL + Redis (needs wrk); see the README for a long, saturated run.
soak: install
	$(PY) loadtest/soak.py $(SOAK_ARGS)

# Two gunicorn instances sharing one PostgreSQL and one Redis must agree exactly (about 30 s).
two-instances: install
	$(PY) loadtest/two_instances.py

# A client generated from the live schema (openapi-python-client) registers, logs in, lists, writes (about 20 s).
client: install
	$(PY) loadtest/generated_client.py

# Faults under load on a Redis and a PostgreSQL of its own (about a minute; run as root).
faults: install
	$(PY) loadtest/faults.py

# Slow clients held open against gunicorn behind Debian's nginx (apt-get install nginx): reads stay fast (< 1 min; root).
slow-clients: install
	$(PY) loadtest/slow_clients.py

# Read replicas on our own primary + hot standby (2 s apply delay): routing, read-your-writes, lag, failover (< 1 min; root).
replicas: install
	$(PY) loadtest/replicas.py

# The API through Debian's pgbouncer in transaction mode (DB_POOLER=pgbouncer): smoke walk, load, dumpdata (< 1 min; root).
pgbouncer: install
	$(PY) loadtest/pgbouncer.py

# Ten instances x 1 worker on one PostgreSQL whose max_connections is their budget + 3: within it under load (< 1 min; root).
ten-instances: install
	$(PY) loadtest/ten_instances.py

# Headless Chromium (apt-get install chromium) against a live gunicorn; screenshots land in docs/img/.
browser: install
	.venv/bin/pytest -m browser tests/browser

# The benchmark suite (docs/PERFORMANCE.md): e.g. make bench BENCH_ARGS="--scales small,large"
bench: install
	$(PY) benchmarks/suite.py $(BENCH_ARGS)

# Schema fuzzing with new random cases (CI runs the deterministic gate: benchmarks/fuzz.py); about 20 min.
fuzz-explore: install
	$(PY) benchmarks/fuzz.py --explore --max-time 600
