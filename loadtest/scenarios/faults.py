"""Faults under load: Redis and PostgreSQL failing, PostgreSQL full, a worker killed, a graceful stop.

Run from the repository root (as root, which may run programs as the `postgres` user):

    .venv/bin/python -m loadtest.scenarios.faults

Never touches the machine's own PostgreSQL or Redis: it starts its own Redis (port 6391) and its
own PostgreSQL cluster (`initdb` + `pg_ctl` as `postgres`, port 5441, `max_connections` 20) in a
temporary directory, and one gunicorn (production settings, 2 workers) on them. A modest mixed
load runs throughout (4 clients, ~15 requests/s each: product list and detail, factory list,
sprocket creates, `/health/`), every answer recorded. Then, one after another:

1. **Redis killed, then restarted**: no 5xx; `/ready/` says `cache: error` while it is down; a
   product renamed during the outage is fresh once Redis is back; caching resumes by itself.
2. **PostgreSQL stopped, then started**: database routes answer 503 in the error format with
   `Retry-After` and no stack trace, each within two DB_POOL_TIMEOUTs plus a margin (never near
   the gunicorn timeout); `/health/` stays 200 and `/ready/` 503; it recovers without a restart.
   Then, the load paused and one client alone: stopped again, each worker's first 503 waits the
   pool timeout and every further one comes within 1 s (the breaker, DB_OUTAGE_PROBE_INTERVAL);
   started, 20 database reads in a row are all 200; restarted while nobody asked (every pooled
   connection stale), the next 20 are all 200 too, the first included (the pool's check).
3. **PostgreSQL at max_connections**: every free slot held by the test, the workers reloaded
   (so they need new connections): 503s, never a 500; recovery once the slots are released.
4. **A worker killed with SIGKILL mid-load**: the master replaces it; no half-written sprocket.
5. **SIGTERM to gunicorn under load** (a rolling deploy): no 5xx; afterwards every sprocket row
   written matches a 201 the client received, and every 201 has its row: nothing accepted is lost.

After all of them the data must hold: the factory's counter equals its sprockets, its chart moved
one step per create. Each phase prints requests sent, answers by status, 5xx, and the time to
recover. Exit status 0 only if every check holds.
"""

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadtest import server as harness

DB_POOL_TIMEOUT = 3.0
# A request may wait for the pool twice (a pooled connection the stop broke fails at once; the next
# query of the same request then waits for a new one), so a 503 comes within two pool timeouts,
# far from gunicorn's timeout (30 s) that would kill the worker.
UNAVAILABLE_LATENCY_LIMIT = 2 * DB_POOL_TIMEOUT + 2.0
CLIENTS = 4
PACE_SECONDS = 0.07
WORKERS = 2
# Once a worker has seen the outage (its first 503, after up to DB_POOL_TIMEOUT), each further 503
# comes within this: the breaker answers at once, or after one probe (a refused connect here).
OUTAGE_503_LIMIT = 1.0
# Database requests in a row that must all be 200 once PostgreSQL is back.
SEQUENTIAL_AFTER_RETURN = 20


# --- The load ---------------------------------------------------------------------------------
@dataclass
class Outcome:
    started: float
    seconds: float
    kind: str
    status: int  # 0: no HTTP answer (refused, reset)
    error: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Load:
    """CLIENTS threads sending a mixed load until stopped; every outcome is kept."""

    def __init__(self, port: int, *, user_token: str, factory: int, sprocket_type: int, products: list[str]) -> None:
        self.port, self.user_token = port, user_token
        self.factory, self.sprocket_type, self.products = factory, sprocket_type, products
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._threads: list[threading.Thread] = []
        self._created = 0

    def _request(self, n: int) -> tuple[str, str, str, dict | None, str]:
        kinds = [
            ("product list", "GET", "/api/v1/products/", None, ""),
            ("product detail", "GET", f"/api/v1/products/{self.products[n % len(self.products)]}/", None, ""),
            ("factory list", "GET", "/api/v1/factories/", None, self.user_token),
            (
                "sprocket create",
                "POST",
                "/api/v1/sprockets/",
                {"name": f"Fault {n}", "factory": self.factory, "sprocket_type": self.sprocket_type},
                self.user_token,
            ),
            ("health", "GET", "/health/", None, ""),
        ]
        return kinds[n % len(kinds)]

    def _client(self, offset: int) -> None:
        n = offset
        while not self._stop.is_set():
            if self._paused.is_set():
                time.sleep(0.05)
                continue
            kind, method, path, body, token = self._request(n)
            n += CLIENTS
            started = time.monotonic()
            try:
                answer = harness.send(self.port, method, path, body=body, token=token)
                outcome = Outcome(
                    started,
                    time.monotonic() - started,
                    kind,
                    answer.status,
                    "",
                    answer.body if answer.status >= 500 else b"",
                    answer.headers,
                )
            except (OSError, http.client.HTTPException) as exc:
                outcome = Outcome(started, time.monotonic() - started, kind, 0, type(exc).__name__)
            with self._lock:
                self.outcomes.append(outcome)
            time.sleep(PACE_SECONDS)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(CLIENTS)]
        for thread in self._threads:
            thread.start()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No load inside the block (requests under way finish first): a script's own requests alone."""
        self._paused.set()
        time.sleep(1.0)
        try:
            yield
        finally:
            self._paused.clear()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def between(self, start: float, end: float) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if start <= o.started < end]


def summary(outcomes: list[Outcome]) -> str:
    statuses = Counter(o.status if o.status else o.error for o in outcomes)
    return f"{len(outcomes)} requests, answers {dict(sorted(statuses.items(), key=str))}"


def error_format_ok(outcome: Outcome) -> bool:
    """A 503 in the contract's error format, with Retry-After and no stack trace."""
    try:
        body = json.loads(outcome.body)
    except ValueError:
        return False
    return (
        outcome.status == 503
        and body.get("type") == "server_error"
        and body["errors"][0]["code"] == "service_unavailable"
        and "retry-after" in outcome.headers
        and b"Traceback" not in outcome.body
    )


def ready_checks(port: int) -> tuple[int, dict]:
    answer = harness.send(port, "GET", "/ready/")
    return answer.status, answer.json().get("checks", {})


# --- Phases -----------------------------------------------------------------------------------
def phase_redis(
    check: harness.Checks, load: Load, redis: harness.OwnRedis, *, port: int, admin: str, product: str
) -> None:
    start = time.monotonic()
    redis.kill()
    time.sleep(1.5)
    ready_status, ready = ready_checks(port)
    renamed = harness.send(
        port, "PATCH", f"/api/v1/products/{product}/", token=admin, body={"name": "Renamed in outage"}
    )
    time.sleep(4)
    redis.start()
    recovered = harness.wait_for(lambda: ready_checks(port)[0] == 200, what="ready after Redis returned")
    time.sleep(2)
    during = load.between(start, time.monotonic())
    fresh = harness.send(port, "GET", f"/api/v1/products/{product}/")
    listed = harness.send(port, "GET", "/api/v1/products/?search=Renamed+in+outage")
    cached_again = redis_has_keys(redis.port)
    five_xx = [o for o in during if o.status >= 500]
    check(
        "redis killed and restarted",
        not five_xx
        and ready_status == 503
        and ready.get("cache") == "error"
        and renamed.status == 200
        and b"Renamed in outage" in fresh.body
        and b"Renamed in outage" in listed.body
        and cached_again,
        f"{summary(during)}; 5xx {len(five_xx)}; /ready/ while down {ready_status} {ready}; rename in outage "
        f"{renamed.status}, fresh after: {b'Renamed in outage' in fresh.body and b'Renamed in outage' in listed.body}; "
        f"ready {recovered:.1f} s after restart; caching again: {cached_again}",
    )


def redis_has_keys(port: int) -> bool:
    import redis

    return bool(redis.Redis(port=port).dbsize())


def phase_postgres_down(check: harness.Checks, load: Load, postgres: harness.OwnPostgres, *, port: int) -> None:
    start = time.monotonic()
    postgres.stop()
    stopped = time.monotonic()
    time.sleep(2)
    health = harness.http_status(port, "/health/")
    ready_status, ready = ready_checks(port)
    time.sleep(5)
    postgres.start()
    restarted = time.monotonic()
    recovered = harness.wait_for(
        lambda: harness.send(port, "GET", "/api/v1/factories/", token=load.user_token).status == 200,
        what="factories after PostgreSQL returned",
    )
    time.sleep(1)
    during = load.between(stopped, restarted)
    everything = load.between(start, time.monotonic())
    unavailable = [o for o in everything if o.status == 503]
    bad_503 = [o for o in unavailable if not error_format_ok(o)]
    other_5xx = [o for o in everything if o.status >= 500 and o.status != 503]
    slowest = max((o.seconds for o in unavailable), default=0.0)
    for o in sorted(unavailable, key=lambda o: -o.seconds)[:5]:
        print(f"     503 {o.kind}: {o.seconds:.1f} s, sent {o.started - stopped:+.1f} s after the stop")
    check(
        "postgres stopped and started",
        not other_5xx
        and not bad_503
        and bool(unavailable)
        and slowest <= UNAVAILABLE_LATENCY_LIMIT
        and health == 200
        and ready_status == 503
        and ready.get("database") == "error",
        f"while down: {summary(during)}; 503s {len(unavailable)} (slowest {slowest:.1f} s, limit "
        f"{UNAVAILABLE_LATENCY_LIMIT:.0f} s; malformed {len(bad_503)}); other 5xx {len(other_5xx)}; /health/ {health}; "
        f"/ready/ {ready_status} {ready}; database routes back {recovered:.1f} s after the restart",
    )


def timed_database_reads(port: int, token: str, count: int) -> list[tuple[int, float]]:
    """`count` authenticated factory lists one after another (each touches the database): (status, seconds)."""
    answers = []
    for _ in range(count):
        started = time.monotonic()
        status = harness.send(port, "GET", "/api/v1/factories/", token=token).status
        answers.append((status, time.monotonic() - started))
    return answers


def phase_postgres_quiet(check: harness.Checks, load: Load, postgres: harness.OwnPostgres, *, port: int) -> None:
    """The load paused: one client alone, so each answer's time is the server's, not a queue's.

    1. PostgreSQL stopped: after each worker's first 503, every further 503 within OUTAGE_503_LIMIT.
    2. Started again: once a database route answers, SEQUENTIAL_AFTER_RETURN in a row are all 200.
    3. Restarted while no request came (every idle pooled connection broken, no worker has seen
       anything): the next SEQUENTIAL_AFTER_RETURN database requests are all 200, the first included.
    """
    token = load.user_token
    with load.paused():
        warm = timed_database_reads(port, token, 10)  # both workers hold idle pooled connections
        postgres.stop()
        down = timed_database_reads(port, token, 15)
        postgres.start()
        restarted = time.monotonic()
        recovered = harness.wait_for(
            lambda: harness.send(port, "GET", "/api/v1/factories/", token=token).status == 200,
            what="factories after PostgreSQL returned",
        )
        back = timed_database_reads(port, token, SEQUENTIAL_AFTER_RETURN)
        warm += timed_database_reads(port, token, 10)
        postgres.stop()
        postgres.start()  # a restart no request saw: every pooled connection is stale
        after_restart = timed_database_reads(port, token, SEQUENTIAL_AFTER_RETURN)
    slow_503 = [seconds for status, seconds in down if status == 503 and seconds > OUTAGE_503_LIMIT]
    fast_503 = [seconds for status, seconds in down if status == 503 and seconds <= OUTAGE_503_LIMIT]

    def statuses(answers: list[tuple[int, float]]) -> str:
        return " ".join(str(status) for status, _ in answers)

    def slowest(answers: list[tuple[int, float]]) -> float:
        return max((seconds for _, seconds in answers), default=0.0)

    check(
        "postgres down, 503s fast once seen",
        all(status == 200 for status, _ in warm)
        and all(status == 503 for status, _ in down)
        and len(slow_503) <= WORKERS
        and len(fast_503) >= len(down) - WORKERS,
        f"{len(down)} database reads in a row while down: {statuses(down)}; the first of each worker waited "
        f"{', '.join(f'{s:.1f}' for s in slow_503) or '-'} s (limit: one per worker, {WORKERS}), the other "
        f"{len(fast_503)} at most {max(fast_503, default=0.0):.2f} s each (limit {OUTAGE_503_LIMIT:.1f} s)",
    )
    check(
        "postgres back, no stale connection",
        all(status == 200 for status, _ in back + after_restart),
        f"back {recovered:.1f} s after the start ({time.monotonic() - restarted:.0f} s ago), then "
        f"{SEQUENTIAL_AFTER_RETURN} in a row: {statuses(back)} (slowest {slowest(back):.2f} s); after a restart "
        f"no request saw, {SEQUENTIAL_AFTER_RETURN} in a row: {statuses(after_restart)} (slowest "
        f"{slowest(after_restart):.2f} s)",
    )


@contextmanager
def all_slots_taken(postgres: harness.OwnPostgres) -> Iterator[list]:
    """Hold every free connection slot, and keep taking the ones that free up while inside.

    Workers that exit (a reload) release their connections; taking those too is what leaves
    the new workers with none.
    """
    import psycopg

    held: list = []
    done = threading.Event()

    def grab() -> None:
        while not done.is_set():
            try:
                held.append(psycopg.connect(postgres.url("postgres"), autocommit=True, connect_timeout=2))
            except psycopg.OperationalError:
                time.sleep(0.05)

    grabber = threading.Thread(target=grab, daemon=True)
    grabber.start()
    try:
        harness.wait_for(lambda: len(held) > 0, what="a held connection slot")
        time.sleep(0.5)
        yield held
    finally:
        done.set()
        grabber.join(timeout=10)
        for conn in held:
            conn.close()


def phase_max_connections(
    check: harness.Checks, load: Load, postgres: harness.OwnPostgres, *, port: int, master: int
) -> None:
    start = time.monotonic()
    with all_slots_taken(postgres) as held:
        os.kill(master, signal.SIGHUP)  # new workers: their pools must open new connections
        time.sleep(8)
        full = load.between(start, time.monotonic())
        slots = len(held)
    recovered = harness.wait_for(
        lambda: harness.send(port, "GET", "/api/v1/factories/", token=load.user_token).status == 200,
        what="factories after the slots were released",
    )
    time.sleep(1)
    everything = load.between(start, time.monotonic())
    unavailable = [o for o in everything if o.status == 503]
    other_5xx = [o for o in everything if o.status >= 500 and o.status != 503]
    bad_503 = [o for o in unavailable if not error_format_ok(o)]
    check(
        "postgres at max_connections",
        not other_5xx and not bad_503 and bool(unavailable),
        f"held {slots} slots; {summary(full)}; 503s {len(unavailable)} (malformed {len(bad_503)}); other 5xx "
        f"{len(other_5xx)}; back {recovered:.1f} s after release",
    )


def phase_worker_killed(check: harness.Checks, load: Load, *, port: int, master: int) -> None:
    harness.wait_for(lambda: len(harness.worker_pids(master)) == 2, what="two workers before the kill")
    before = harness.worker_pids(master)
    start = time.monotonic()
    os.kill(before[0], signal.SIGKILL)
    replaced = harness.wait_for(
        lambda: len(harness.worker_pids(master)) == 2 and before[0] not in harness.worker_pids(master),
        what="replacement worker",
    )
    time.sleep(2)
    during = load.between(start, time.monotonic())
    five_xx = [o for o in during if o.status >= 500]
    check(
        "worker killed",
        not five_xx,
        f"{summary(during)}; 5xx {len(five_xx)}; replaced in {replaced:.1f} s "
        f"({before} -> {harness.worker_pids(master)})",
    )


def phase_sigterm(check: harness.Checks, load: Load, gunicorn: subprocess.Popen) -> None:
    start = time.monotonic()
    time.sleep(1)
    gunicorn.send_signal(signal.SIGTERM)
    gunicorn.wait(timeout=60)
    stopped = time.monotonic()
    time.sleep(0.5)
    load.stop()
    during = load.between(start, time.monotonic())
    five_xx = [o for o in during if o.status >= 500]
    check(
        "graceful stop under load",
        not five_xx,
        f"{summary(during)}; 5xx {len(five_xx)}; gunicorn stopped {stopped - start - 1:.1f} s after SIGTERM",
    )


def check_data(check: harness.Checks, load: Load, *, database_url: str) -> None:
    """Every 201 has its row, every row had its 201; the counter and chart agree with the rows."""
    import psycopg

    created = [o for o in load.outcomes if o.kind == "sprocket create" and o.status == 201]
    unanswered = [o for o in load.outcomes if o.kind == "sprocket create" and o.status == 0]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT count(*) FROM sprockets_sprocket WHERE factory_id = %s", [load.factory]).fetchone()
        counter = conn.execute(
            "SELECT sprocket_production_actual FROM sprockets_factory WHERE id = %s", [load.factory]
        ).fetchone()
        actuals = [
            row[0]
            for row in conn.execute(
                "SELECT sprocket_production_actual FROM sprockets_factorychartentry WHERE factory_id = %s "
                "ORDER BY time, id",
                [load.factory],
            )
        ]
    row_count, counter_value = rows[0] if rows else -1, counter[0] if counter else -1
    steps_ok = actuals == list(range(len(actuals)))
    check(
        "nothing accepted is lost",
        row_count == len(created) == counter_value and steps_ok,
        f"sprocket 201s {len(created)}, rows {row_count}, counter {counter_value}, creates without an answer "
        f"{len(unanswered)}; chart {len(actuals)} points, one step each: {steps_ok}",
    )


# --- Setup ------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    return harness.own_stack_parser(__doc__, port=8521, redis_port=6391, postgres_port=5441).parse_args()


def seed(env: dict[str, str]) -> dict[str, Any]:
    harness.setup_django(env)
    from sprockets.models import SprocketType

    people = harness.create_people("fault")
    products = harness.create_products("Fault", 20)
    sprocket_type = SprocketType.objects.create(
        name="Fault type", teeth=20, pitch_diameter="80.000", outside_diameter="90.000", pitch="12.700"
    )

    harness.disconnect_django()
    return {"people": people, "products": products, "sprocket_type": sprocket_type.pk}


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="faults-"))
    redis = harness.OwnRedis(args.redis_port, workdir)
    postgres = harness.OwnPostgres(args.postgres_port, workdir, max_connections=20)
    check = harness.Checks()
    with ExitStack() as stack:
        env = harness.start_own_stack(
            stack, name="faults", redis=redis, postgres=postgres, database="faults", workdir=workdir, workers=WORKERS,
            DB_POOL_TIMEOUT=str(DB_POOL_TIMEOUT),
        )  # fmt: skip
        data = seed(env)
        log = stack.enter_context(open(workdir / "gunicorn.log", "w"))
        gunicorn = stack.enter_context(harness.live_gunicorn(env, port=args.port, log=log))
        admin = harness.access_token(args.port, "fault-admin", data["people"]["fault-admin"])
        user = harness.access_token(args.port, "fault-user", data["people"]["fault-user"])
        factory = harness.send(
            args.port,
            "POST",
            "/api/v1/factories/",
            token=admin,
            body={"name": "Fault works", "sprocket_production_goal": 100},
        ).json()["id"]
        load = Load(
            args.port, user_token=user, factory=factory, sprocket_type=data["sprocket_type"], products=data["products"]
        )
        print(
            f"faults: gunicorn on {args.port}, own Redis on {args.redis_port}, own PostgreSQL on "
            f"{args.postgres_port}; logs in {workdir}",
            flush=True,
        )
        load.start()
        time.sleep(3)
        baseline = load.between(0, time.monotonic())
        check("baseline", all(0 < o.status < 500 for o in baseline), summary(baseline))
        phase_redis(check, load, redis, port=args.port, admin=admin, product=data["products"][0])
        phase_postgres_down(check, load, postgres, port=args.port)
        phase_postgres_quiet(check, load, postgres, port=args.port)
        phase_max_connections(check, load, postgres, port=args.port, master=gunicorn.pid)
        phase_worker_killed(check, load, port=args.port, master=gunicorn.pid)
        phase_sigterm(check, load, gunicorn)
        check_data(check, load, database_url=postgres.url("faults"))
    print("faults: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
