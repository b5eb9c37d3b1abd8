"""Ten instances, one PostgreSQL: under load they stay within the documented connection budget.

Run from the repository root (as root, which may run programs as the `postgres` user):

    .venv/bin/python -m loadtest.scenarios.ten_instances

Never touches the machine's own PostgreSQL or Redis: it starts its own PostgreSQL cluster (port
5471) whose `max_connections` is exactly the budget of docs/SCALING.md for 10 instances of 1
worker (10 x 1 x DB_POOL_MAX_SIZE 2 = 20) plus 3: one for this script's sampler and two of
headroom for the migration and the seed, which run before the load and are closed. A service
that exceeded its budget would therefore meet PostgreSQL's "sorry, too many clients already".
Its own Redis (port 6394). Then 10 gunicorn instances (production settings, 1 worker each,
ports 8701..8710), each with `?application_name=instance-N` in its `DATABASE_URL`, so that
`pg_stat_activity` tells their connections apart.

The load: one wrk process per instance, all at once (2 connections each, 20 s), driving
`loadtest/scenarios/ten_instances.lua` as a signed-in user: product searches with a fresh term each time
(cache misses), factory and account lists, product details, post and message creates. Meanwhile
a sampler connected to the cluster's `postgres` database counts the client connections to `ten`
every 0.1 s, in total and per instance.

Checks: every instance answered requests; no answer outside 2xx/3xx and no socket error (connect,
read, write or timeout); at most 10 x DB_POOL_MAX_SIZE connections to `ten` at any sample, at most
DB_POOL_MAX_SIZE per instance (and every instance was seen); no "too many clients" in the
PostgreSQL log or any gunicorn log; no Traceback in the gunicorn logs. Exit status 0 only if every
check holds. Under a minute.
"""

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from loadtest import server as harness

INSTANCES = 10
WORKERS = 1  # per instance
DB_POOL_MAX_SIZE = 2  # docs/SCALING.md: GUNICORN_THREADS (1) + 1
BUDGET = INSTANCES * WORKERS * DB_POOL_MAX_SIZE
MAX_CONNECTIONS = BUDGET + 1 + 2  # + the sampler + headroom for migrate and the seed (closed before the load)
CONNECTIONS_PER_INSTANCE = 2  # wrk connections (one thread each)
SAMPLE_SECONDS = 0.1
LUA = Path(__file__).with_name("ten_instances.lua")


def parse_args() -> argparse.Namespace:
    parser = harness.own_stack_parser(__doc__, redis_port=6394, postgres_port=5471)
    parser.add_argument("--first-port", type=int, default=8701, help="instance N listens on first-port + N - 1")
    parser.add_argument("--seconds", type=int, default=20, help="seconds of load (default 20)")
    return parser.parse_args()


def seed(env: dict[str, str]) -> dict[str, Any]:
    harness.setup_django(env)

    from accounts.models import Account, User
    from sprockets.services import factory_create

    people = harness.create_people("ten")
    products = harness.create_products("Ten", 20)
    for n in range(3):
        factory_create(name=f"Ten factory {n}", sprocket_production_goal=100)
    account = Account.objects.create(owner=User.objects.get(username="ten-user"), name="Ten main")
    harness.disconnect_django()
    return {"people": people, "products": products, "account": str(account.pk)}


def client_connections(url: str, database: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [database]
        ).fetchone()
    return row[0] if row else 0


class Sampler:
    """Counts the client connections to one database every SAMPLE_SECONDS, by application_name."""

    def __init__(self, url: str, database: str) -> None:
        self.url, self.database = url, database
        self.max_total = 0
        self.max_by_name: Counter = Counter()
        self.samples = 0
        self.totals: list[tuple[float, int]] = []  # (time.monotonic(), total) of every sample
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, application_name="ten-sampler") as conn:
            while not self._stop.is_set():
                try:
                    rows = conn.execute(
                        "SELECT application_name, count(*) FROM pg_stat_activity "
                        "WHERE datname = %s AND backend_type = 'client backend' GROUP BY 1",
                        [self.database],
                    ).fetchall()
                except psycopg.Error as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    return
                self.samples += 1
                total = sum(count for _, count in rows)
                self.totals.append((time.monotonic(), total))
                self.max_total = max(self.max_total, total)
                for name, count in rows:
                    self.max_by_name[name] = max(self.max_by_name[name], count)
                self._stop.wait(SAMPLE_SECONDS)

    def max_between(self, start: float, end: float) -> int:
        return max((total for at, total in self.totals if start <= at <= end), default=0)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def run_wrk(
    ports: list[int], *, seconds: int, token: str, account: str, products: list[str]
) -> list[harness.WrkResult]:
    """One wrk per instance, all at once (see ten_instances.lua); their numbers, in the order of `ports`."""
    runs = [
        harness.WrkRun(
            LUA,
            f"http://127.0.0.1:{port}",
            token,
            account,
            ",".join(products),
            str(number),
            threads=CONNECTIONS_PER_INSTANCE,
            connections=CONNECTIONS_PER_INSTANCE,
            seconds=seconds,
        )
        for number, port in enumerate(ports, start=1)
    ]
    return [run.result() for run in runs]


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ten-instances-"))
    shutil.chown(workdir, "postgres", "postgres")  # the cluster's directories are inside it
    check = harness.Checks()
    postgres = harness.OwnPostgres(args.postgres_port, workdir / "postgres", max_connections=MAX_CONNECTIONS)
    redis = harness.OwnRedis(args.redis_port, workdir)
    ports = [args.first_port + n for n in range(INSTANCES)]
    names = [f"instance-{n}" for n in range(1, INSTANCES + 1)]
    with ExitStack() as stack:
        started = time.monotonic()
        env = harness.start_own_stack(
            stack, name="ten", redis=redis, postgres=postgres, database="ten", workdir=workdir, workers=WORKERS,
            url_options="?application_name=ten-setup", DB_POOL_MAX_SIZE=str(DB_POOL_MAX_SIZE),
        )  # fmt: skip
        data = seed(env)
        # The seed's backend ends a moment after its client closed it: none of it is counted below.
        harness.wait_for(lambda: client_connections(postgres.url("postgres"), "ten") == 0, what="the seed disconnected")
        sampler = Sampler(postgres.url("postgres"), "ten")
        sampler.start()
        stack.callback(sampler.stop)
        servers = stack.enter_context(ExitStack())  # closed after the load, so the logs cover the stop too
        logs: list[Path] = []
        for name, port in zip(names, ports, strict=True):
            logs.append(workdir / f"gunicorn-{name}.log")
            log = servers.enter_context(open(logs[-1], "w"))
            instance_env = {
                **env,
                "DATABASE_URL": postgres.url("ten") + f"?application_name={name}",
                "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{name}"),  # gunicorn creates it
            }
            servers.enter_context(harness.live_gunicorn(instance_env, port=port, log=log))
        ready = time.monotonic()
        token = harness.access_token(ports[0], "ten-user", data["people"]["ten-user"])  # valid on every instance
        print(
            f"ten instances: {INSTANCES} gunicorns x {WORKERS} worker on {ports[0]}..{ports[-1]} (ready in "
            f"{ready - started:.0f} s), own PostgreSQL on {args.postgres_port} (max_connections "
            f"{MAX_CONNECTIONS}), own Redis on {args.redis_port}; logs in {workdir}",
            flush=True,
        )

        load_started = time.monotonic()
        results = run_wrk(ports, seconds=args.seconds, token=token, account=data["account"], products=data["products"])
        load_ended = time.monotonic()
        time.sleep(1)  # a last sample after the load
        servers.close()  # SIGTERM to every instance, and wait
        sampler.stop()

        requests = [result.requests for result in results]
        check(
            "every instance answered requests",
            all(n > 0 for n in requests),
            "requests per instance " + ", ".join(f"{port}: {n}" for port, n in zip(ports, requests, strict=True)),
        )
        statuses: Counter = Counter()
        bad_by_kind: Counter = Counter()
        for result in results:
            statuses += result.by_status()
            for label, count in result.statuses.items():
                if not 200 <= int(label.rsplit(" ", 1)[1]) < 400:
                    bad_by_kind[label] += count
        wrk_status_errors = sum(result.errors["status"] for result in results)
        check(
            "every answer is a 2xx or 3xx",
            not bad_by_kind and wrk_status_errors == 0,
            f"answers by status {dict(sorted(statuses.items()))}; outside 2xx/3xx by kind {dict(bad_by_kind) or 0}",
        )
        socket_errors = {
            kind: sum(result.errors[kind] for result in results) for kind in ("connect", "read", "write", "timeout")
        }
        check(
            "no socket errors",
            not any(socket_errors.values()),
            f"wrk's socket errors {socket_errors} (timeout 10 s)",
        )
        check(
            "total connections within the budget",
            sampler.samples > 0 and not sampler.errors and sampler.max_total <= BUDGET,
            f"at most {sampler.max_total} client connections to `ten` in {sampler.samples} samples "
            f"(budget {INSTANCES} x {WORKERS} x {DB_POOL_MAX_SIZE} = {BUDGET}; max_connections "
            f"{MAX_CONNECTIONS}){'; sampler failed: ' + sampler.errors[0] if sampler.errors else ''}",
        )
        per_instance = {name: sampler.max_by_name.get(name, 0) for name in names}
        others = {name: n for name, n in sampler.max_by_name.items() if name not in per_instance}
        check(
            "each instance within its budget",
            all(0 < n <= WORKERS * DB_POOL_MAX_SIZE for n in per_instance.values()),
            "at most per instance "
            + ", ".join(f"{name.removeprefix('instance-')}: {n}" for name, n in per_instance.items())
            + f" (budget {WORKERS} x {DB_POOL_MAX_SIZE}); other connections to `ten` at most {others or 0}",
        )
        postgres_log = (postgres.workdir / "postgres.log").read_text(errors="replace")
        gunicorn_logs = {path.name: path.read_text(errors="replace") for path in logs}
        too_many = [name for name, text in gunicorn_logs.items() if "too many clients" in text]
        check(
            'no "too many clients"',
            "too many clients" not in postgres_log and not too_many,
            f"PostgreSQL log: {postgres_log.count('too many clients')}; gunicorn logs with it: {too_many or 0}",
        )
        tracebacks = {name: text.count("Traceback") for name, text in gunicorn_logs.items() if "Traceback" in text}
        check("no Traceback in the gunicorn logs", not tracebacks, f"{tracebacks or 0}")

        total = sum(requests)
        seconds = max(result.seconds for result in results)
        before, during = sampler.max_between(0, load_started), sampler.max_between(load_started, load_ended)
        print(
            f"ten instances: {total} requests in {seconds:.1f} s ({total / seconds:.0f} req/s) across {INSTANCES} "
            f"instances; connections to `ten` at most {sampler.max_total} in total (before the load "
            f"{before}, during it {during}), at most "
            f"{max(per_instance.values())} per instance (budget {BUDGET} in total, "
            f"{WORKERS * DB_POOL_MAX_SIZE} per instance; max_connections {MAX_CONNECTIONS})",
            flush=True,
        )
        print(f"ten instances: {time.monotonic() - started:.0f} s in all", flush=True)
    print("ten instances: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
