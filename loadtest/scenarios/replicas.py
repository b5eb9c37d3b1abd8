"""Read replicas on a real primary + hot standby: reads on the replica, read-your-writes, lag, failover.

Run from the repository root (as root, which may run programs as the `postgres` user):

    .venv/bin/python -m loadtest.scenarios.replicas

Never touches the machine's own PostgreSQL or Redis: it starts its own primary (port 5451) and a
hot standby streaming from it (`pg_basebackup -R`, port 5452) with `recovery_min_apply_delay =
2s`, so the replica is always two seconds behind; its own Redis (port 6392); and one gunicorn
(production settings, 2 workers) with `DATABASE_REPLICA_URLS` pointing at the standby. Queries are
counted on each cluster with `pg_stat_statements`. Then:

1. **Reads go to the replica**: a signed-in user lists locations and (uncached) product searches;
   the list queries counted on each cluster give the replica's share.
2. **Read-your-writes**: an admin creates a factory and reads it back at once (200 from the
   primary, the admin being pinned); another user gets 404 until the replica has replayed it;
   the time until it appears is the observed lag.
3. **A cached answer recomputed right after an invalidation is fresh**: an admin renames a product;
   another user's read of it at once shows the new name (the recomputation reads the primary
   within REPLICA_PIN_SECONDS of the bump), and it is still the new name after the pin window.
4. **The replica stopped under load**: reads go to the primary, no 5xx.

Exit status 0 only if every check holds. About a minute.
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

APPLY_DELAY_SECONDS = 2
PIN_SECONDS = 5
STATEMENTS = {"shared_preload_libraries": "pg_stat_statements"}


def parse_args() -> argparse.Namespace:
    return harness.own_stack_parser(
        __doc__, port=8681, redis_port=6392, primary_port=5451, replica_port=5452
    ).parse_args()


def query_counts(url: str) -> Counter:
    """Calls so far on one cluster: of list queries per table, and of every app query (`all`)."""
    import psycopg

    counts: Counter = Counter()
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT query, calls FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' "
            "AND query NOT ILIKE '%pg_last_wal%' AND query NOT ILIKE '%pg_current_wal%'"
        ).fetchall()
    for query, calls in rows:
        if not query.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            continue
        counts["all"] += calls
        for table in ("sprockets_location", "sprockets_factory", "catalog_product", "accounts_user"):
            if f'FROM "{table}"' in query:
                counts[table] += calls
    return counts


def replica_caught_up(primary_url: str, replica_url: str) -> bool:
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
    target = row[0] if row else None
    with psycopg.connect(replica_url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
    return bool(row and row[0])


def seed(env: dict[str, str]) -> dict[str, Any]:
    harness.setup_django(env)

    people = harness.create_people("replica")
    products = harness.create_products("Replica", 5)
    harness.disconnect_django()
    return {"people": people, "products": products}


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="replicas-"))
    shutil.chown(workdir, "postgres", "postgres")  # the clusters' directories are inside it
    check = harness.Checks()
    primary = harness.OwnPostgres(args.primary_port, workdir / "primary", max_connections=40, settings=STATEMENTS)
    replica = harness.OwnPostgres(
        args.replica_port,
        workdir / "replica",
        max_connections=40,
        settings={
            **STATEMENTS,
            "recovery_min_apply_delay": f"{APPLY_DELAY_SECONDS}s",
            "hot_standby_feedback": "on",
        },
    )
    redis = harness.OwnRedis(args.redis_port, workdir)
    with ExitStack() as stack:
        started = time.monotonic()
        harness.start_own_services(stack, redis=redis, postgres=primary, database="replicas")
        import psycopg

        with psycopg.connect(primary.url("replicas"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        replica.init_standby_of(primary)
        replica.start()
        stack.callback(replica.stop_if_running)
        env = harness.own_environment(
            "replicas",
            primary.url("replicas"),
            redis,
            workdir,
            workers=2,
            DATABASE_REPLICA_URLS=replica.url("replicas"),
            REPLICA_PIN_SECONDS=str(PIN_SECONDS),
            REPLICA_DOWN_SECONDS="10",
        )
        harness.migrate(env)
        data = seed(env)
        harness.wait_for(
            lambda: replica_caught_up(primary.url("replicas"), replica.url("replicas")),
            what="replica replayed the seed",
            timeout=30,
        )
        log = stack.enter_context(open(workdir / "gunicorn.log", "w"))
        stack.enter_context(harness.live_gunicorn(env, port=args.port, log=log))
        port = args.port
        admin = harness.access_token(port, "replica-admin", data["people"]["replica-admin"])
        user = harness.access_token(port, "replica-user", data["people"]["replica-user"])
        logged_in = time.monotonic()
        print(
            f"replicas: gunicorn on {port}, primary on {args.primary_port}, hot standby on {args.replica_port} "
            f"(recovery_min_apply_delay {APPLY_DELAY_SECONDS}s), Redis on {args.redis_port}; logs in {workdir}",
            flush=True,
        )
        time.sleep(max(0.0, PIN_SECONDS + 0.5 - (time.monotonic() - logged_in)))  # logging in pinned them

        # 1. Reads go to the replica.
        before = {"primary": query_counts(primary.url("replicas")), "replica": query_counts(replica.url("replicas"))}
        statuses: Counter = Counter()
        reads = 40
        for i in range(reads):
            # Locations: a list that is never cached, so each request reads a database.
            statuses[harness.send(port, "GET", "/api/v1/locations/", token=user).status] += 1
            statuses[harness.send(port, "GET", f"/api/v1/products/?search=product+{i}", token=user).status] += 1
        time.sleep(0.5)
        after = {"primary": query_counts(primary.url("replicas")), "replica": query_counts(replica.url("replicas"))}
        delta = {name: after[name] - before[name] for name in after}
        list_queries = {
            name: delta[name]["sprockets_location"] + delta[name]["catalog_product"] for name in ("primary", "replica")
        }
        total_lists = sum(list_queries.values()) or 1
        share = list_queries["replica"] / total_lists
        check(
            "list reads are served by the replica",
            set(statuses) == {200} and share >= 0.95,
            f"{2 * reads} GETs answered {dict(statuses)}; list queries (locations, products) on the replica "
            f"{list_queries['replica']}, on the primary {list_queries['primary']}: {share:.0%} on the replica; "
            f"all queries replica {delta['replica']['all']}, primary {delta['primary']['all']} (the primary keeps "
            f"the JWT user lookups: {delta['primary']['accounts_user']})",
        )

        # 2. Read-your-writes, and the lag another user sees.
        created = harness.send(
            port, "POST", "/api/v1/factories/", token=admin, body={"name": "Fresh works", "sprocket_production_goal": 5}
        )
        written = time.monotonic()
        factory = created.json().get("id")
        own = harness.send(port, "GET", f"/api/v1/factories/{factory}/", token=admin)
        own_list = harness.send(port, "GET", "/api/v1/factories/?page_size=100", token=admin)
        own_seconds = time.monotonic() - written
        first_other = harness.send(port, "GET", f"/api/v1/factories/{factory}/", token=user).status
        polls: Counter = Counter()

        def other_sees() -> bool:
            status = harness.send(port, "GET", f"/api/v1/factories/{factory}/", token=user).status
            polls[status] += 1
            return status == 200

        harness.wait_for(other_sees, what="the other user sees the factory", timeout=15)
        lag = time.monotonic() - written
        check(
            "the writer reads its write at once",
            created.status == 201 and own.status == 200 and b"Fresh works" in own_list.body,
            f"create {created.status}; the admin's detail {own.status} and list (contains it: "
            f"{b'Fresh works' in own_list.body}) within {own_seconds * 1000:.0f} ms of the 201",
        )
        check(
            "another user sees it once the replica catches up",
            first_other == 404 and APPLY_DELAY_SECONDS - 0.5 <= lag <= APPLY_DELAY_SECONDS + 3,
            f"first read {first_other} (the replica has not replayed it); polls {dict(polls)}; visible "
            f"{lag:.2f} s after the 201 (recovery_min_apply_delay {APPLY_DELAY_SECONDS} s)",
        )

        # 3. A cached detail recomputed right after the invalidation reads the primary.
        product = data["products"][0]
        warmed = harness.send(port, "GET", f"/api/v1/products/{product}/", token=user)
        renamed = harness.send(
            port, "PATCH", f"/api/v1/products/{product}/", token=admin, body={"name": "Renamed at once"}
        )
        at_once = harness.send(port, "GET", f"/api/v1/products/{product}/", token=user)
        time.sleep(PIN_SECONDS + 0.5)
        later = harness.send(port, "GET", f"/api/v1/products/{product}/", token=user)
        check(
            "a cache recomputed after an invalidation is fresh",
            warmed.status == renamed.status == at_once.status == later.status == 200
            and at_once.json()["name"] == later.json()["name"] == "Renamed at once",
            f"another user's read just after the rename: {at_once.json().get('name')!r}; after the pin window: "
            f"{later.json().get('name')!r} (a recomputation from the lagging replica would have cached the old name)",
        )

        # 4. The replica stopped under read load.
        outcomes: list[tuple[float, int, float]] = []
        stop = threading.Event()

        def reader(n: int) -> None:
            i = 0
            while not stop.is_set():
                t0 = time.monotonic()
                path = "/api/v1/locations/" if (i + n) % 2 else f"/api/v1/products/?search=load+{n}+{i}"
                try:
                    status = harness.send(port, "GET", path, token=user).status
                except OSError:
                    status = 0
                outcomes.append((t0, status, time.monotonic() - t0))
                i += 1
                time.sleep(0.05)

        threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        primary_before = query_counts(primary.url("replicas"))
        stopped_at = time.monotonic()
        replica.stop()
        time.sleep(6)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        primary_after = query_counts(primary.url("replicas"))
        during = [o for o in outcomes if o[0] >= stopped_at]
        statuses = Counter(status for _, status, _ in during)
        bad = [o for o in during if not 200 <= o[1] < 300]
        slowest = max((seconds for _, _, seconds in during), default=0.0)
        moved = (primary_after - primary_before)["sprockets_location"]
        check(
            "replica stopped: reads go to the primary, no 5xx",
            bool(during) and not bad and moved > 0,
            f"{len(during)} GETs after the stop answered {dict(statuses)}; slowest {slowest:.2f} s; location "
            f"queries on the primary meanwhile {moved}",
        )
        print(f"replicas: {time.monotonic() - started:.0f} s in all", flush=True)
    print("replicas: " + (f"FAILED ({', '.join(check.failures)})" if check.failures else "passed"))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
