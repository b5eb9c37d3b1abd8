"""What each middleware costs a request: the production stack in-process, with one middleware left out at a time.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 for
the production settings; the paths measured here touch neither unless the view does):

    .venv/bin/python benchmarks/middleware_cost.py                    # /health/, 2 rounds
    .venv/bin/python benchmarks/middleware_cost.py --path /api/v1/products/ --rounds 3

Each variant runs in a fresh process (so one variant's imports and caches never help another):
Django's WSGI handler with the production settings and `settings.MIDDLEWARE` minus the named
classes is called directly with a synthetic GET (no socket, no gunicorn), 300 warm-up requests,
then 5 batches of 1,000; a variant's figure is its fastest batch over all rounds, in µs per
request. The request log goes to /dev/null at INFO, as it would be formatted in production.
"saves" is the full stack's figure minus the variant's: the cost of what it left out.
"""

import argparse
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
VARIANTS = [
    "",
    "RequestLogMiddleware",
    "PrometheusBeforeMiddleware,PrometheusAfterMiddleware",
    "SecurityMiddleware",
    "WhiteNoiseMiddleware",
    "RequestUrlLimitMiddleware,RequestBodyLimitMiddleware",
    "SessionMiddleware,AuthenticationMiddleware,MessageMiddleware",
    "MessageMiddleware",
    "CorsMiddleware",
    "CommonMiddleware",
    "CsrfViewMiddleware",
    "XFrameOptionsMiddleware",
    "CSPMiddleware",
    "ObjectNotFoundMiddleware",
    "*",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/health/")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)  # the variant, in the measuring process
    return parser.parse_args()


def measure(path: str, left_out: list[str]) -> float:
    """Fastest µs per request of 5 batches, in this process (called once per process)."""
    import logging

    import django
    from django.conf import settings

    django.setup()
    request_log = logging.getLogger("config.request")
    request_log.handlers = [logging.StreamHandler(open(os.devnull, "w"))]  # noqa: SIM115 - for the process's life
    request_log.propagate = False
    everything = left_out == ["*"]
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not everything and not any(name.endswith(f".{o}") for o in left_out)
    ]
    from django.core.handlers.wsgi import WSGIHandler

    application = WSGIHandler()  # builds its chain from settings.MIDDLEWARE now
    route, _, query = path.partition("?")

    def start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], object]:
        return lambda data: None

    def one_request() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ACCEPT": "application/json",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        response = application(environ, start_response)
        b"".join(response)
        response.close()

    for _ in range(300):
        one_request()
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(1000):
            one_request()
        batches.append((time.perf_counter() - started) / 1000 * 1e6)
    return min(batches)


def production_environment(metrics_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "middleware-cost-" + "x" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"),
        "LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
    }


def main() -> int:
    args = parse_args()
    if args.child is not None:
        print(f"{measure(args.path, args.child.split(',') if args.child else []):.1f}")
        return 0
    import tempfile

    metrics_dir = tempfile.mkdtemp(prefix="middleware-cost-")
    env = {**os.environ, **production_environment(metrics_dir)}
    figures: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for _ in range(args.rounds):
        for variant in VARIANTS:  # interleaved: every variant once per round
            done = subprocess.run(  # noqa: S603 - fixed command line
                [sys.executable, __file__, "--path", args.path, "--child", variant],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
            figures[variant].append(float(done.stdout.split()[-1]))
    full = min(figures[""])
    print(f"GET {args.path}, production settings in-process, fastest of {args.rounds} rounds x 5 batches\n")
    print("| left out | µs per request | saves |")
    print("|---|---:|---:|")
    for variant in VARIANTS:
        best = min(figures[variant])
        name = "nothing (the full stack)" if not variant else "every middleware" if variant == "*" else variant
        print(f"| {name} | {best:.0f} | {full - best:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
