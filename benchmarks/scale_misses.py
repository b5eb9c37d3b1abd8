"""Single-request latency of each read on a cache miss, in-process, at two data scales side by side.

Run from the repository root, after the suite has seeded its databases (`perf_small`, `perf_large`
by default; `--database-prefix` as the suite's):

    .venv/bin/python -m benchmarks.scale_misses --rounds 5 --batch 20
    .venv/bin/python -m benchmarks.scale_misses --database-prefix h22scale_ --redis-db 5

Each scale is one child process on the production settings (its database, the given Redis db)
calling Django's WSGI handler directly (no socket, no gunicorn, no wrk): what a request costs the
server alone, so that the "large / small" ratio is about data, not about this shared machine's
load. The rounds interleave the scales (round 1 runs a batch of every read on small, then on
large, ...); a read's figure is the median of all its requests. Every request is a miss: a new
filter value each time (the list, the search), a bumped namespace before it (the detail, not
timed), or a new `chart_points` (the factory list, 901..1,000 points).
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.suite import SCALE_USER
from loadtest import server as harness


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="small,large")
    parser.add_argument("--database-prefix", default="perf_")
    parser.add_argument("--redis-db", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20, help="requests per read per round")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def reads(round_number: int, batch: int, ids: dict[str, Any]) -> dict[str, list[str]]:
    """Each read's paths for one round: every one a miss (see the module's docstring)."""
    unique = [f"{round_number:03d}{n:05d}" for n in range(batch)]
    searches = ["steel%20kettle", "hammer%2042", "batch%2099", "vintage", "garden%20hose%201"]
    return {
        "list, new filter (min_price)": [f"/api/v1/products/?page_size=20&min_price=0.000{u}" for u in unique],
        "list, new category filter": [f"/api/v1/products/?category=x{u}" for u in unique],
        "list, in_stock + new min_price": [f"/api/v1/products/?in_stock=true&min_price=0.000{u}" for u in unique],
        "list, pages of one filter": [
            f"/api/v1/products/?max_price=999999{round_number:03d}&page={n + 2}" for n in range(batch)
        ],
        "detail": [f"/api/v1/products/{ids['products'][n % len(ids['products'])]}/" for n in range(batch)],
        "search": [
            f"/api/v1/products/?search={searches[n % len(searches)]}&min_price=0.000{u}" for n, u in enumerate(unique)
        ],
        "factories with chart data (50 x 1,000)": [
            f"/api/v1/factories/?with_chart_data=true&page_size=50&chart_points={1000 - k % 100}"
            f"{'&ordering=id' if k // 100 % 2 else ''}"
            for k in range(round_number * batch, (round_number + 1) * batch)
        ],
    }


def child(args: argparse.Namespace) -> None:
    """One scale: run one round of every read, print {read: [ms, ...]} as JSON."""
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from catalog.models import Product
    from config.api.caching import bump_namespace

    handler = WSGIHandler()
    token = str(AccessToken.for_user(User.objects.get(username=SCALE_USER)))
    ids = {"products": [str(pk) for pk in Product.objects.alive().order_by("id").values_list("id", flat=True)[:2000]]}

    def get(path: str) -> float:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        started = time.perf_counter()
        status: list[str] = []

        def start_response(line: str, headers: list, exc_info: Any = None) -> Callable[[bytes], object]:
            status.append(line)
            return lambda data: None

        body = b"".join(handler(environ, start_response))
        elapsed = (time.perf_counter() - started) * 1000
        if not status[0].startswith("200"):
            raise RuntimeError(f"{path}: {status[0]} {body[:300]!r}")
        return elapsed

    get("/api/v1/products/")  # warm-up: imports, connections
    get("/api/v1/factories/?with_chart_data=true&page_size=50")
    results: dict[str, list[float]] = {}
    for name, paths in reads(args.round, args.batch, ids).items():
        timings = []
        for path in paths:
            if name == "detail":
                bump_namespace("catalog")
            timings.append(get(path))
        results[name] = timings
    print("RESULT " + json.dumps(results))


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    scales = [scale.strip() for scale in args.scales.split(",") if scale.strip()]
    samples: dict[str, dict[str, list[float]]] = {scale: {} for scale in scales}
    for round_number in range(1, args.rounds + 1):
        for scale in scales:
            env = {
                **os.environ,
                **harness.machine_environment(
                    f"misses-{scale}", f"{args.database_prefix}{scale}", args.redis_db, workers=1
                ),
                "RATE_LIMIT_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
            }
            command = [sys.executable, "-m", "benchmarks.scale_misses", "--child", scale]
            command += ["--round", str(round_number), "--batch", str(args.batch)]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)  # noqa: S603
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                raise SystemExit(f"[{scale}] failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
            for name, timings in json.loads(line.removeprefix("RESULT ")).items():
                samples[scale].setdefault(name, []).extend(timings)
            print(f"round {round_number} {scale} done", file=sys.stderr, flush=True)
    names = list(samples[scales[0]])
    header = " | ".join(f"{scale} p50 ms" for scale in scales)
    print(f"| read (a miss, one request) | {header} | {' / '.join(reversed(scales))} |")
    print("|---|" + "---:|" * (len(scales) + 1))
    for name in names:
        p50 = [statistics.median(samples[scale][name]) for scale in scales]
        ratio = p50[-1] / p50[0] if p50[0] else float("nan")
        print(f"| {name} | {' | '.join(f'{value:.1f}' for value in p50)} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
