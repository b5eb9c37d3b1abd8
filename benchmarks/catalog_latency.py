"""Latency of `GET /api/v1/products/?page_size=20` on a cache miss and on a cache hit, via gunicorn.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379):

    .venv/bin/python -m benchmarks.catalog_latency            # N=300 requests of each kind
    .venv/bin/python -m benchmarks.catalog_latency -n 500

What it does, bounded in time (default 300 s overall; gunicorn is always stopped at the end):

1. creates the database `h_catalog_bench` if missing, migrates it, and seeds 10,000 products
   (idempotent: products are found again by SKU);
2. starts `.venv/bin/gunicorn config.wsgi -c gunicorn.conf.py` with the production settings,
   `DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_catalog_bench`,
   `REDIS_URL=redis://127.0.0.1:6379/4`, `RATE_LIMIT_ENABLED=false`,
   `DJANGO_SECURE_SSL_REDIRECT=false`, `GUNICORN_BIND=127.0.0.1:8011`;
3. miss: before each request it bumps the `catalog` cache namespace (in this process, through
   the same Redis; not timed), so every timed request recomputes the page from PostgreSQL
   (a count over 10,000 rows + one page) and stores it;
4. hit: the same URL repeated, answered from Redis;
5. prints the median, p90 and p99 of each, one `http.client` connection reused throughout
   (gunicorn's default sync workers close it after each answer, so http.client reconnects:
   set GUNICORN_THREADS=2 or more for real keep-alive through the gthread worker).
"""

import argparse
import http.client
import os
import secrets
import statistics
import time
from decimal import Decimal

from loadtest.server import live_gunicorn, manage

DATABASE_NAME = "h_catalog_bench"
HOST, PORT = "127.0.0.1", 8011
PATH = "/api/v1/products/?page_size=20"
PRODUCTS = 10_000

ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use",
    "METRICS_TOKEN": secrets.token_urlsafe(32),  # production refuses to start without one
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "RATE_LIMIT_ENABLED": "false",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/4",
    "GUNICORN_BIND": f"{HOST}:{PORT}",
    "LOG_LEVEL": "WARNING",
}


def create_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def migrate() -> None:
    manage(ENVIRONMENT, "migrate", "--noinput", "-v", "0")


def setup_django() -> None:
    os.environ.update(ENVIRONMENT)
    import django

    django.setup()


def seed() -> int:
    from catalog.models import Product

    existing = set(Product.objects.alive().filter(sku__startswith="BENCH-").values_list("sku", flat=True))
    categories = ["Tools", "Garden", "Kitchen", "Electronics", "Books", "Sprockets", "Toys", "Office"]
    missing = [
        Product(
            name=f"Benchmark product {i}",
            description=f"Seeded for the catalog latency benchmark, item {i}.",
            price=Decimal(i % 50_000) / 100,
            stock=i % 37,
            category=categories[i % len(categories)],
            sku=f"BENCH-{i:05d}",
        )
        for i in range(PRODUCTS)
        if f"BENCH-{i:05d}" not in existing
    ]
    Product.objects.bulk_create(missing, batch_size=1000)
    return Product.objects.alive().count()


def timed_get(conn: http.client.HTTPConnection) -> float:
    started = time.perf_counter()
    conn.request("GET", PATH)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200 or b'"count":' not in body:
        raise RuntimeError(f"unexpected answer {response.status}: {body[:200]!r}")
    return elapsed * 1000


def summary(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return (
        f"{label}: n={len(samples)} median={statistics.median(samples):.2f} ms "
        f"p90={pct(0.90):.2f} ms p99={pct(0.99):.2f} ms min={ordered[0]:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="requests per kind (at least 200)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for the whole run")
    args = parser.parse_args()
    n = max(200, args.n)
    deadline = time.monotonic() + args.time_limit

    create_database()
    migrate()
    setup_django()
    print(f"products alive: {seed()}")

    from config.api.caching import bump_namespace

    with live_gunicorn(ENVIRONMENT, port=PORT):
        conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        for _ in range(20):  # warm every worker's connection pool and imports
            bump_namespace("catalog")
            timed_get(conn)

        misses: list[float] = []
        for _ in range(n):
            if time.monotonic() > deadline:
                break
            bump_namespace("catalog")  # not timed: the next request is a miss
            misses.append(timed_get(conn))

        timed_get(conn)  # prime the entry the hits read
        hits: list[float] = []
        for _ in range(n):
            if time.monotonic() > deadline:
                break
            hits.append(timed_get(conn))
        conn.close()

        workers = os.environ.get("GUNICORN_WORKERS", f"default ({max(2, len(os.sched_getaffinity(0)))})")
        threads = os.environ.get("GUNICORN_THREADS", "1")
        print(f"GET {PATH} against gunicorn ({workers} workers, {threads} thread(s) each), {PRODUCTS} products")
        print(summary("cache miss", misses))
        print(summary("cache hit ", hits))


if __name__ == "__main__":
    main()
