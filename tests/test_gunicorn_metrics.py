"""gunicorn.conf.py's metrics folder: one per running instance, never removed while in use (issue 20, finding 12).

Real gunicorn masters with the production settings (SQLite, local-memory cache): what /metrics of
one instance counts is exactly what that instance served.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
METRICS_TOKEN = secrets.token_urlsafe(32)
HEALTH_COUNT = re.compile(
    r'^django_http_requests_total_by_view_transport_method_total\{[^}]*view="health"[^}]*\} ([0-9.]+)$', re.MULTILINE
)

pytestmark = pytest.mark.django_db(databases=[])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": "localhost", **headers})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def health_served(port: int) -> int:
    status, text = get(port, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200, text[:200]
    return int(sum(float(value) for value in HEALTH_COUNT.findall(text)))


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[subprocess.Popen]:
    """A master with 2 workers bound to `port` (command line), whatever GUNICORN_BIND says."""
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                # /ready/ is not counted under the health view: the instance starts at 0.
                if get(port, "/ready/")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PROMETHEUS_"))}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "METRICS_TOKEN": METRICS_TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        # The same for both: the old folder was keyed on it, not on the address really bound.
        "GUNICORN_BIND": "127.0.0.1:8000",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }


def test_two_instances_on_one_host_count_only_their_own_requests(env, tmp_path):
    first_port, second_port = free_port(), free_port()
    with ExitStack() as stack:
        stack.enter_context(gunicorn(env, first_port))
        for _ in range(5):
            assert get(first_port, "/health/")[0] == 200
        assert health_served(first_port) == 5

        second = stack.enter_context(gunicorn(env, second_port))
        for _ in range(3):
            assert get(second_port, "/health/")[0] == 200

        # Starting the second did not wipe the first's samples, and neither sums the other's.
        assert health_served(first_port) == 5
        assert health_served(second_port) == 3
        folders = sorted(path.name for path in (tmp_path / "metrics").glob("gunicorn-*"))
        assert len(folders) == 2

        stop(second)
        # The second one's exit removed its own folder only: the first still counts its requests.
        assert get(first_port, "/health/")[0] == 200
        assert health_served(first_port) == 6
        assert len(list((tmp_path / "metrics").glob("gunicorn-*"))) == 1
    assert list((tmp_path / "metrics").glob("gunicorn-*")) == []


def test_a_killed_instance_s_folder_is_removed_by_the_next_start_only(env, tmp_path):
    port = free_port()
    with gunicorn(env, port) as first:
        assert get(port, "/health/")[0] == 200
        (killed_folder,) = (tmp_path / "metrics").glob("gunicorn-*")
        os.killpg(first.pid, signal.SIGKILL)  # master and workers: no on_exit
        first.wait(timeout=10)
    assert killed_folder.is_dir()

    with gunicorn(env, free_port()) as second_process, gunicorn(env, free_port()):
        # The next start swept the dead instance's folder; the two live ones keep theirs.
        assert not killed_folder.exists()
        assert len(list((tmp_path / "metrics").glob("gunicorn-*"))) == 2
        assert second_process.poll() is None
