"""Queries and time of `GET /api/v1/factories/?with_chart_data=true&page_size=100&chart_points=N`.

100 factories x 1,000 chart entries each (each answers its newest N, default 100), bulk-created
in a throwaway test database (`test_<db name>`, created and dropped by this script). Run against PostgreSQL:

    DJANGO_SETTINGS_MODULE=config.settings.test \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_sprockets \
    .venv/bin/python -m benchmarks.sprockets_chart_queries [--factories 100] [--points 1000] [--runs 5] \
        [--chart-points 100]

Prints the number of SQL queries of one request (django.test.utils.CaptureQueriesContext) and
the response times (min / median / max over --runs requests, after one warm-up request).
"""

import argparse
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("RATE_LIMIT_ENABLED", "false")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

URL = "/api/v1/factories/?with_chart_data=true&page_size=100&chart_points={chart_points}"


def populate(*, factories: int, points: int) -> None:
    from accounts.models import Role, User
    from sprockets.models import Factory, FactoryChartEntry

    User.objects.create_user(username="bench", email="bench@example.com", password="bench-pass-42", role=Role.USER)
    created = Factory.objects.bulk_create(Factory(name=f"Factory {i:03d}") for i in range(factories))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for factory in created:
        FactoryChartEntry.objects.bulk_create(
            (
                FactoryChartEntry(
                    factory_id=factory.pk,
                    time=start + timedelta(minutes=i),
                    sprocket_production_goal=30,
                    sprocket_production_actual=i % 35,
                )
                for i in range(points)
            ),
            batch_size=5000,
        )


def measure(*, runs: int, url: str) -> tuple[int, list[float], int]:
    from accounts.models import User
    from accounts.services import tokens_for_user

    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=User.objects.get(username='bench'))['access']}"
    )
    warm = client.get(url)
    assert warm.status_code == 200, warm.content[:500]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    # Count now: the next request's request_started signal resets the connection's query log.
    queries = len(ctx.captured_queries)
    body = response.json()
    total_points = sum(len(item["chart_data"]["time"]) for item in body["results"])
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    return queries, timings, total_points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=100)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chart-points", type=int, default=100, help="newest points per factory (1..1000)")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        began = time.perf_counter()
        populate(factories=args.factories, points=args.points)
        print(f"database: {connection.vendor}; populated in {time.perf_counter() - began:.1f} s")
        url = URL.format(chart_points=args.chart_points)
        queries, timings, total_points = measure(runs=args.runs, url=url)
        print(f"GET {url}: {args.factories} factories x {args.points} points ({total_points} points returned)")
        print(f"queries per request: {queries}")
        print(
            f"response time over {args.runs} runs: min {min(timings):.0f} ms, "
            f"median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
