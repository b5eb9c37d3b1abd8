"""What each middleware costs a request: the production stack in-process, with one middleware left out at a time.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 for
the production settings; the paths measured here touch neither unless the view does):

    .venv/bin/python -m benchmarks.middleware_cost                    # /health/
    .venv/bin/python -m benchmarks.middleware_cost --path /api/v1/products/ --rounds 41

One process builds one Django WSGI handler per variant (the production settings, with
`settings.MIDDLEWARE` minus the named classes, or with django-csp's own CSPMiddleware in place of
ours) and calls each directly with a synthetic GET (no socket, no gunicorn). After a warm-up, the
rounds interleave the variants (round 1 runs a batch of each, then round 2 ...), so that drift on
this shared machine spreads over all of them; a variant's figure is its median batch, in µs per
request. Separate processes were tried first: their spread (±100 µs) hid what was measured. The
request log goes to /dev/null at INFO, formatted as in production. "saves" is the full stack's
figure minus the variant's: the cost of what it left out.
"""

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

LIBRARY_CSP = "django-csp's CSPMiddleware instead of ours"
LIBRARY_METRICS = "django-prometheus's two middlewares instead of ours"
VARIANTS = [
    "",
    "RequestLogMiddleware",
    "RequestMetricsMiddleware",
    "SecurityMiddleware",
    "WhiteNoiseMiddleware",
    "RequestUrlLimitMiddleware,RequestBodyLimitMiddleware",
    "SessionMiddleware,AuthenticationMiddleware,MessageMiddleware",
    "CorsMiddleware",
    "CacheHeadersMiddleware",
    "CommonMiddleware",
    "CsrfViewMiddleware",
    "XFrameOptionsMiddleware",
    "CSPMiddleware",
    "ObjectNotFoundMiddleware",
    LIBRARY_CSP,
    LIBRARY_METRICS,
    "*",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/health/")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--batch", type=int, default=200, help="requests per variant per round")
    return parser.parse_args()


def production_environment(metrics_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "METRICS_TOKEN": secrets.token_urlsafe(32),  # as production requires
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"),
        "LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
    }


def middleware_for(variant: str, full: list[str]) -> list[str]:
    if variant == "*":
        return []
    if variant == LIBRARY_CSP:
        return ["csp.middleware.CSPMiddleware" if name.endswith(".CSPMiddleware") else name for name in full]
    if variant == LIBRARY_METRICS:
        inner = [name for name in full if not name.endswith(".RequestMetricsMiddleware")]
        prometheus = "django_prometheus.middleware.Prometheus"
        return [f"{prometheus}BeforeMiddleware", *inner, f"{prometheus}AfterMiddleware"]
    left_out = variant.split(",") if variant else []
    return [name for name in full if not any(name.endswith(f".{o}") for o in left_out)]


def main() -> int:
    args = parse_args()
    os.environ.update(production_environment(tempfile.mkdtemp(prefix="middleware-cost-")))
    import logging

    import django
    from django.conf import settings

    django.setup()
    request_log = logging.getLogger("config.request")
    request_log.handlers = [logging.StreamHandler(open(os.devnull, "w"))]  # noqa: SIM115 - for the process's life
    request_log.propagate = False
    from django.core.handlers.wsgi import WSGIHandler

    full = list(settings.MIDDLEWARE)
    handlers = {}
    for variant in VARIANTS:
        settings.MIDDLEWARE = middleware_for(variant, full)
        handlers[variant] = WSGIHandler()  # builds its chain from settings.MIDDLEWARE now
    settings.MIDDLEWARE = full
    route, _, query = args.path.partition("?")

    def start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], object]:
        return lambda data: None

    def one_request(application: WSGIHandler) -> None:
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

    for application in handlers.values():
        for _ in range(200):
            one_request(application)
    batches: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for _ in range(args.rounds):
        for variant, application in handlers.items():
            started = time.perf_counter()
            for _ in range(args.batch):
                one_request(application)
            batches[variant].append((time.perf_counter() - started) / args.batch * 1e6)
    figures = {variant: statistics.median(values) for variant, values in batches.items()}
    what = f"median of {args.rounds} interleaved batches of {args.batch}"
    print(f"GET {args.path}, production settings in-process, {what}\n")
    print("| variant | µs per request | saves |")
    print("|---|---:|---:|")
    for variant in VARIANTS:
        if not variant:
            name = "the full stack"
        elif variant == "*":
            name = "no middleware at all"
        elif variant in (LIBRARY_CSP, LIBRARY_METRICS):
            name = variant
        else:
            name = f"without {variant.replace(',', ', ')}"
        print(f"| {name} | {figures[variant]:.0f} | {figures[''] - figures[variant]:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
