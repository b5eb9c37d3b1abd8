"""The floor of the benchmark suite: a bare WSGI app, served by the same gunicorn config as the API.

`gunicorn benchmarks.hello_wsgi:app -c gunicorn.conf.py` answers every path (also `/ready/`,
which the harness waits for) with a small JSON body: what gunicorn, loopback and wrk cost alone.
"""

from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"status":"ok"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
