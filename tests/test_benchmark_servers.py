"""The suite's --server choice: each server the harness names starts, serves the floor app and stops.

Real processes (gunicorn with gunicorn.conf.py, granian with the WSGI interface) on a free port,
with the same worker count; the floor app (benchmarks/hello_wsgi.py) needs no database.
"""

import http.client
import os
import socket
import time

import pytest

from loadtest import server as harness

pytestmark = pytest.mark.django_db(databases=[])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def workers_of(pid: int, *, expected: int) -> list[int]:
    """The server's worker processes (its children), once `expected` of them run or after 10 s.

    The first worker may answer before the last one is forked.
    """
    deadline = time.monotonic() + 10
    while True:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            workers = [int(child) for child in children.read().split()]
        if len(workers) >= expected or time.monotonic() > deadline:
            return workers
        time.sleep(0.1)


@pytest.mark.parametrize("name", ["gunicorn", "granian"])
def test_the_named_server_serves_the_floor_app_with_the_given_workers_and_stops(name, tmp_path):
    port = free_port()
    env = {"GUNICORN_WORKERS": "2", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}
    with harness.live_server(name, env, port=port, hello=True) as server:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/health/")
        answer = conn.getresponse()
        assert (answer.status, answer.read()) == (200, b'{"status":"ok"}')
        conn.close()
        assert len(workers_of(server.pid, expected=2)) == 2
        pid = server.pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped, and reaped


def test_an_unknown_server_name_is_refused():
    with pytest.raises(ValueError, match="gunicorn or granian"):
        harness.live_server("uvicorn", {}, port=free_port())
