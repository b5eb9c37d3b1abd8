"""The API through a real PgBouncer in transaction mode: a smoke walk over every domain, then load.

Run from the repository root (as root, which may run programs as the `postgres` user; needs
Debian's `pgbouncer` and `wrk`):

    .venv/bin/python -m loadtest.scenarios.pgbouncer

Never touches the machine's own PostgreSQL or Redis: it starts its own PostgreSQL (port 5461), a
PgBouncer in front of it (port 6461, `pool_mode = transaction`, `default_pool_size = 3`, run as
`postgres`: PgBouncer refuses root), its own Redis (port 6393), and one gunicorn (production
settings, 4 workers) with `DATABASE_URL` pointing at PgBouncer and `DB_POOLER=pgbouncer`
(docs/SCALING.md, "Behind PgBouncer in transaction mode"). `migrate` and the seed go to
PostgreSQL directly, as the documentation says they must. Then:

1. **Smoke**: an admin and a newly registered user walk every domain (auth, users, accounts,
   messages, products, locations, sprocket types, factories, sprockets and the chart, posts),
   every answer the one the contract gives. Each read is repeated 8 times, so every worker runs
   the same statement more often than psycopg's `prepare_threshold` (5). Django's default
   client-side binding never prepares, so this guards the setting (and anyone turning on
   `server_side_binding`): a prepared statement exists on one server connection only.
2. **Load**: wrk (16 connections, reads and writes) against the 4 workers, which share 3 server
   connections; no non-2xx answer, and PostgreSQL never sees more than PgBouncer's pool.
3. **A server-side cursor would break**: `manage.py dumpdata` (QuerySet.iterator(), two chunks)
   through PgBouncer with the same settings, during the load, dumps every product. Without
   `DISABLE_SERVER_SIDE_CURSORS` it fails here: `cursor "_django_curs_..." does not exist`.
4. No traceback, and no "prepared statement" or "cursor ... does not exist" error in gunicorn's log.

Exit status 0 only if every check holds. About a minute.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

from loadtest import server as harness

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SERVER_POOL = 3  # server connections PgBouncer lends the database
WORKERS = 4  # more clients than server connections: the point of transaction pooling
REPEATS = 8  # above psycopg's prepare_threshold of 5
DATABASE = "bouncer"
PRODUCTS = 3000


def parse_args() -> argparse.Namespace:
    parser = harness.own_stack_parser(__doc__, port=8691, postgres_port=5461, pgbouncer_port=6461, redis_port=6393)
    parser.add_argument("--seconds", type=int, default=15, help="length of the load phase")
    return parser.parse_args()


class PgBouncer:
    """PgBouncer in transaction mode in front of one PostgreSQL, run as `postgres`."""

    def __init__(self, port: int, workdir: Path, *, postgres_port: int) -> None:
        self.port, self.workdir = port, workdir
        self.config = workdir / "pgbouncer.ini"
        self.log = workdir / "pgbouncer.log"
        auth_file = workdir / "userlist.txt"
        auth_file.write_text('"postgres" ""\n')
        self.config.write_text(
            "[databases]\n"
            f"{DATABASE} = host=127.0.0.1 port={postgres_port} dbname={DATABASE}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {auth_file}\n"
            f"pool_mode = transaction\ndefault_pool_size = {SERVER_POOL}\nreserve_pool_size = 0\n"
            "max_client_conn = 200\n"
            # A client waiting this long for a server connection gets an error (the API's 503).
            "query_wait_timeout = 5\n"
            f"logfile = {self.log}\npidfile = {workdir / 'pgbouncer.pid'}\n"
        )
        for path in (self.config, auth_file):
            shutil.chown(path, "postgres", "postgres")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [harness.RUNUSER, "-u", "postgres", "--", PGBOUNCER, str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        harness.wait_for(self.answers, what=f"pgbouncer on {self.port}", timeout=15)

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url(), autocommit=True, connect_timeout=1) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.Error:
            return False

    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def seed(env: dict[str, str]) -> dict[str, Any]:
    harness.setup_django(env)

    from catalog.models import Product

    people = harness.create_people("bouncer")
    # More than one chunk of QuerySet.iterator() (2,000 rows), so dumpdata fetches its cursor twice.
    Product.objects.bulk_create(
        Product(name=f"Bouncer product {i}", price="2.50", sku=f"BNC-{i}", category="Tools") for i in range(PRODUCTS)
    )
    harness.disconnect_django()
    return {"people": people}


class Smoke:
    """Requests with their expected status; every unexpected answer is kept for the check."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.answers: Counter = Counter()
        self.unexpected: list[str] = []

    def __call__(self, method: str, path: str, expected: int, *, token: str = "", body: dict | None = None) -> Any:
        answer = harness.send(self.port, method, path, body=body, token=token)
        self.answers[answer.status] += 1
        if answer.status != expected:
            self.unexpected.append(f"{method} {path} -> {answer.status} (wanted {expected}): {answer.body[:160]!r}")
            return {}
        return answer.json() if answer.body else {}

    def read(self, path: str, *, token: str = "") -> Any:
        """The same GET `REPEATS` times, on fresh connections, so it lands on every worker."""
        for _ in range(REPEATS - 1):
            self("GET", path, 200, token=token)
        return self("GET", path, 200, token=token)


def smoke_walk(smoke: Smoke, *, admin: str) -> None:
    name = f"walker-{uuid.uuid4().hex[:8]}"
    password = f"walk-{uuid.uuid4().hex}"
    smoke(
        "POST",
        "/api/v1/auth/register/",
        201,
        body={"email": f"{name}@example.com", "username": name, "password": password},
    )
    tokens = smoke("POST", "/api/v1/auth/login/", 200, body={"username": name, "password": password})
    user = tokens.get("access", "")
    refreshed = smoke("POST", "/api/v1/auth/refresh/", 200, body={"refresh": tokens.get("refresh", "")})
    me = smoke.read("/api/v1/auth/me/", token=user)
    smoke("PATCH", "/api/v1/auth/me/", 200, token=user, body={"first_name": "Walker"})
    smoke.read("/api/v1/users/?search=walker", token=admin)
    smoke.read(f"/api/v1/users/{me.get('id')}/", token=admin)

    account = smoke("POST", "/api/v1/accounts/", 201, token=user, body={"name": "Walk", "currency": "EUR"})
    smoke.read("/api/v1/accounts/?ordering=name", token=user)
    smoke("PATCH", f"/api/v1/accounts/{account.get('id')}/", 200, token=user, body={"name": "Walk (renamed)"})
    message = smoke(
        "POST",
        "/api/v1/messages/",
        201,
        token=user,
        body={
            "account": account.get("id"),
            "sender_number": "+14155550123",
            "receiver_number": "+442079460958",
            "body": "Through PgBouncer",
        },
    )
    smoke.read(f"/api/v1/messages/?account={account.get('id')}", token=user)
    smoke.read(f"/api/v1/messages/{message.get('id')}/", token=user)
    smoke.read(f"/api/v1/accounts/{account.get('id')}/messages/", token=user)

    product = smoke(
        "POST", "/api/v1/products/", 201, token=admin, body={"name": "Walk widget", "price": "9.99", "sku": "WALK-1"}
    )
    smoke.read("/api/v1/products/?search=bouncer&ordering=-price")
    smoke.read(f"/api/v1/products/{product.get('id')}/")
    smoke("PATCH", f"/api/v1/products/{product.get('id')}/", 200, token=admin, body={"stock": 3})
    smoke("DELETE", f"/api/v1/products/{product.get('id')}/", 204, token=admin)

    location = smoke(
        "POST",
        "/api/v1/locations/",
        201,
        token=admin,
        body={
            "address_1": "1 Pool Street",
            "city": "Leeds",
            "postal_code": f"LS{uuid.uuid4().hex[:6]}",
            "country_code": "gb",
        },
    )
    kind = smoke(
        "POST",
        "/api/v1/sprocket-types/",
        201,
        token=admin,
        body={"teeth": 20, "pitch_diameter": "80.000", "outside_diameter": "90.000", "pitch": "12.700"},
    )
    factory = smoke(
        "POST",
        "/api/v1/factories/",
        201,
        token=admin,
        body={"name": "Bouncer works", "location": location.get("id"), "sprocket_production_goal": 10},
    )
    sprocket = smoke(
        "POST",
        "/api/v1/sprockets/",
        201,
        token=admin,
        body={"factory": factory.get("id"), "sprocket_type": kind.get("id")},
    )
    detail = smoke.read(f"/api/v1/factories/{factory.get('id')}/?with_chart_data=true", token=user)
    if detail.get("sprocket_production_actual") != 1 or detail.get("chart_data", {}).get("total_points") != 2:
        smoke.unexpected.append(f"factory after one sprocket: {json.dumps(detail)[:200]}")
    smoke.read(f"/api/v1/factories/{factory.get('id')}/chart/?bucket=hour", token=user)
    smoke.read("/api/v1/factories/?with_chart_data=true", token=user)
    smoke.read(f"/api/v1/sprockets/?factory={factory.get('id')}", token=user)
    smoke("DELETE", f"/api/v1/sprockets/{sprocket.get('id')}/", 204, token=admin)

    post = smoke("POST", "/api/v1/posts/", 201, token=user, body={"text": "Pooled, one transaction at a time"})
    smoke.read("/api/v1/posts/", token=user)
    smoke("PATCH", f"/api/v1/posts/{post.get('id')}/", 200, token=user, body={"text": "Edited"})
    smoke("DELETE", f"/api/v1/posts/{post.get('id')}/", 204, token=user)
    smoke("POST", "/api/v1/auth/logout/", 204, body={"refresh": refreshed.get("refresh", "")})


LOAD = Path(__file__).with_name("pgbouncer.lua")


def backends(postgres: harness.OwnPostgres) -> int:
    import psycopg

    with psycopg.connect(postgres.url("postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [DATABASE]
        ).fetchone()
    return int(row[0]) if row else 0


def run_load(
    port: int, token: str, seconds: int, postgres: harness.OwnPostgres, *, meanwhile: Any
) -> tuple[harness.WrkResult, int]:
    """wrk's numbers, and the most PostgreSQL backends serving the database meanwhile.

    `meanwhile()` runs in a thread of its own 2 s into the load, while every server connection is busy.
    """
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            with suppress(Exception):
                peak = max(peak, backends(postgres))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    side = threading.Timer(2.0, meanwhile)
    side.start()
    try:
        result = harness.run_wrk(LOAD, f"http://127.0.0.1:{port}", token, threads=2, connections=16, seconds=seconds)
    finally:
        side.join(timeout=120)
        stop.set()
        sampler.join(timeout=5)
    return result, peak


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    shutil.chown(workdir, "postgres", "postgres")  # the cluster and PgBouncer's files are inside it
    check = harness.Checks()
    postgres = harness.OwnPostgres(args.postgres_port, workdir / "postgres", max_connections=20)
    bouncer = PgBouncer(args.pgbouncer_port, workdir, postgres_port=args.postgres_port)
    redis = harness.OwnRedis(args.redis_port, workdir)
    with ExitStack() as stack:
        started = time.monotonic()
        direct = harness.start_own_stack(
            stack, name="bouncer", redis=redis, postgres=postgres, database=DATABASE, workdir=workdir, workers=WORKERS
        )
        bouncer.start()
        stack.callback(bouncer.stop)
        pooled = {**direct, "DATABASE_URL": bouncer.url(), "DB_POOLER": "pgbouncer"}
        harness.manage(direct, "seed_demo")
        data = seed(direct)
        log_path = workdir / "gunicorn.log"
        log = stack.enter_context(open(log_path, "w"))
        stack.enter_context(harness.live_gunicorn(pooled, port=args.port, log=log))
        port = args.port
        admin = harness.access_token(port, "bouncer-admin", data["people"]["bouncer-admin"])
        print(
            f"pgbouncer: gunicorn ({WORKERS} workers) on {port} -> PgBouncer {args.pgbouncer_port} (transaction "
            f"mode, {SERVER_POOL} server connections) -> PostgreSQL {args.postgres_port}; files in {workdir}",
            flush=True,
        )

        # 1. The smoke walk.
        smoke = Smoke(port)
        smoke_walk(smoke, admin=admin)
        check(
            "every domain answers through PgBouncer",
            not smoke.unexpected and sum(smoke.answers.values()) > 100,
            f"{sum(smoke.answers.values())} requests answered {dict(sorted(smoke.answers.items()))}"
            + ("; unexpected: " + " | ".join(smoke.unexpected[:5]) if smoke.unexpected else ""),
        )

        # 2. Load: 16 clients, 4 workers, 3 server connections.
        user = harness.access_token(port, "bouncer-user", data["people"]["bouncer-user"])
        # 3. dumpdata iterates with QuerySet.iterator(): a server-side cursor unless they are disabled,
        # whose next fetch would land on another server connection while the pool is busy.
        dumps: list[subprocess.CompletedProcess] = []

        def dump_products() -> None:
            dumps.append(
                subprocess.run(
                    [sys.executable, "manage.py", "dumpdata", "catalog.product", "--format", "json"],
                    cwd=harness.BASE_DIR,
                    env={**os.environ, **pooled},
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
            )

        load, peak = run_load(port, user, args.seconds, postgres, meanwhile=dump_products)
        # wrk counts an answer of 400 or more as an error (its "Non-2xx or 3xx responses").
        requests, non_2xx, socket_errors = load.requests, load.errors["status"], load.socket_errors
        check(
            "load through transaction pooling: every answer 2xx",
            requests > 0 and non_2xx == 0 and socket_errors == 0,
            f"{requests} requests in {args.seconds} s ({requests / args.seconds:.0f} req/s), non-2xx {non_2xx}, "
            f"socket errors {socket_errors}",
        )
        check(
            "PostgreSQL serves the database on PgBouncer's pool only",
            0 < peak <= SERVER_POOL,
            f"at most {peak} backends for {DATABASE} (default_pool_size {SERVER_POOL}) while {WORKERS} workers "
            f"and wrk's 16 connections ran",
        )

        dumped = dumps[0] if dumps else None
        products = len(json.loads(dumped.stdout)) if dumped and dumped.returncode == 0 else -1
        check(
            "a command that iterates (dumpdata) works through PgBouncer under load",
            products >= PRODUCTS,
            f"exit {dumped.returncode if dumped else None}, {products} products dumped"
            + (f"; {dumped.stderr[-300:]}" if dumped and dumped.returncode else ""),
        )

    # 4. The log, read once gunicorn has stopped.
    text = log_path.read_text()
    problems = [
        line
        for line in text.splitlines()
        if "Traceback" in line or "prepared statement" in line or re.search(r"cursor .* does not exist", line)
    ]
    check(
        "no database error in gunicorn's log",
        not problems,
        f"{len(problems)} lines" + (f": {problems[:3]}" if problems else ""),
    )
    print(f"pgbouncer: {time.monotonic() - started:.0f} s in all", flush=True)
    print("pgbouncer: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
