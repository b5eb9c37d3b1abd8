"""A live gunicorn for the load, latency and fuzzing scripts: started in its own process group, always stopped.

`manage(env, "migrate", ...)` runs a management command with the same settings first.

    with live_gunicorn(env, port=8471, log=path) as server:
        ...  # server.pid is gunicorn's master; its workers are its children

`env` holds the settings (DJANGO_SETTINGS_MODULE, DATABASE_URL, ...); GUNICORN_BIND is set from
`port`. It waits until `/ready/` answers 200 (database and cache reachable) before yielding.
"""

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"  # the virtualenv running the script


def manage(env: dict[str, str], *command: str, timeout: float = 300) -> None:
    """`manage.py <command>` with these settings, in the repository, its output discarded."""
    subprocess.run(  # noqa: S603 - the scripts' own fixed command lines
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=timeout,
    )


def http_status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def wait_until_ready(port: int, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if http_status(port, "/ready/") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"gunicorn on port {port} did not become ready in {timeout:.0f} s")


def worker_pids(master: int) -> list[int]:
    """gunicorn's workers are the master's children (Linux /proc)."""
    return sorted(int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split())


@contextmanager
def live_gunicorn(env: dict[str, str], *, port: int, log: IO | None = None) -> Iterator[subprocess.Popen]:
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [str(GUNICORN), "config.wsgi", "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopping it stops every worker
    )
    try:
        wait_until_ready(port)
        yield server
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        except ProcessLookupError:
            pass
