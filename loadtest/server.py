"""A live gunicorn for the load, latency and fuzzing scripts: started in its own process group, always stopped.

`manage(env, "migrate", ...)` runs a management command with the same settings first.

    with live_gunicorn(env, port=8471, log=path) as server:
        ...  # server.pid is gunicorn's master; its workers are its children

`env` holds the settings (DJANGO_SETTINGS_MODULE, DATABASE_URL, ...); GUNICORN_BIND is set from
`port`. It waits until `/ready/` answers 200 (database and cache reachable) before yielding.
"""

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

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


def admin_connection():
    import psycopg

    return psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)


def recreate_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    port: int,
    method: str,
    path: str,
    *,
    body: dict | None = None,
    token: str = "",
    headers: dict[str, str] | None = None,
) -> Answer:
    """One JSON request to 127.0.0.1:`port` on a fresh connection; header names in the answer are lower-case."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        return Answer(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()})
    finally:
        conn.close()


def call(port: int, method: str, path: str, *, body: dict | None = None, token: str = "") -> tuple[int, bytes]:
    answer = send(port, method, path, body=body, token=token)
    return answer.status, answer.body


def production_environment(
    *, name: str, database_url: str, redis_url: str, workers: int, **extra: str
) -> dict[str, str]:
    """Settings for a script's gunicorn: production, plain HTTP on loopback, a fresh secret and cache prefix.

    Every server started with one such dict shares the signing key (a token from one is valid on
    another) and the cache key prefix (what one caches or counts, the others read).
    """
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": f"{name}-{secrets.token_urlsafe(32)}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"{name}-{secrets.token_hex(4)}",
        "GUNICORN_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def access_token(port: int, username: str, password: str) -> str:
    """Log in through the API; the access token."""
    answer = send(port, "POST", "/api/v1/auth/login/", body={"username": username, "password": password})
    if answer.status != 200:
        raise RuntimeError(f"login of {username} on {port} answered {answer.status}: {answer.body[:200]!r}")
    return str(answer.json()["access"])


class Checks:
    """Prints one line per check; `failures` names those that did not hold."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, name: str, holds: bool, detail: str) -> None:
        print(f"{'ok  ' if holds else 'FAIL'} {name}: {detail}", flush=True)
        if not holds:
            self.failures.append(name)
