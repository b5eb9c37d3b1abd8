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
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"  # the virtualenv running the script
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
PG_BIN = (
    Path(sorted(Path("/usr/lib/postgresql").iterdir())[-1]) / "bin" if Path("/usr/lib/postgresql").is_dir() else Path()
)


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
        "METRICS_TOKEN": secrets.token_urlsafe(32),  # production refuses to start without one
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


def disconnect_django() -> None:
    """Close this process's database connections for real, before a script starts its servers.

    With Django's pool on, `connections.close_all()` only hands a connection back to the pool,
    which keeps it open: a slot of PostgreSQL's `max_connections` held for the whole run.
    """
    from django.db import connections

    connections.close_all()
    for connection in connections.all():
        close_pool = getattr(connection, "close_pool", None)  # PostgreSQL's wrapper only
        if close_pool is not None:
            close_pool()


def create_user(username: str, *, admin: bool = False) -> tuple[Any, str]:
    """A user (or an admin) with a random password: (the user, the password). Needs `setup_django` first."""
    from accounts.models import Role, User

    password = secrets.token_urlsafe(12)
    user = User(username=username, email=f"{username}@example.com", role=Role.ADMIN if admin else Role.USER)
    user.set_password(password)
    user.save()
    return user, password


def create_people(prefix: str) -> dict[str, str]:
    """`<prefix>-admin` and `<prefix>-user`, as {username: password}."""
    return {
        f"{prefix}-admin": create_user(f"{prefix}-admin", admin=True)[1],
        f"{prefix}-user": create_user(f"{prefix}-user")[1],
    }


def create_products(word: str, count: int) -> list[str]:
    """`count` products "<word> product <i>" (SKU "<WORD>-<i>", price 1.00): their ids."""
    from catalog.models import Product

    return [
        str(Product.objects.create(name=f"{word} product {i}", price="1.00", sku=f"{word.upper()}-{i}").pk)
        for i in range(count)
    ]


class Checks:
    """Prints one line per check; `failures` names those that did not hold."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, name: str, holds: bool, detail: str) -> None:
        print(f"{'ok  ' if holds else 'FAIL'} {name}: {detail}", flush=True)
        if not holds:
            self.failures.append(name)


def wait_for(condition: Any, *, what: str, timeout: float = 30) -> float:
    """Seconds until `condition()` is true; raises after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


# --- Servers of a script's own (never the machine's) -----------------------------------------
class OwnRedis:
    """A throwaway redis-server on its own port, no persistence: a restart starts empty."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: redis_ping(self.port), what=f"redis on {self.port}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def redis_ping(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


class OwnPostgres:
    """A throwaway PostgreSQL cluster owned by `postgres`, trust auth, on its own port.

    `init()` makes a new cluster; `init_standby_of(primary)` makes a hot standby streaming from
    `primary` instead (`pg_basebackup -R`). `settings` are extra `-c name=value` server settings.
    """

    def __init__(
        self, port: int, workdir: Path, *, max_connections: int, settings: dict[str, str] | None = None
    ) -> None:
        self.port, self.workdir, self.data = port, workdir, workdir / "pgdata"
        self.max_connections = max_connections
        self.socket_dir = workdir / "pgsocket"
        self.settings = settings or {}

    def _as_postgres(self, *command: str, quiet: bool = False) -> None:
        subprocess.run(  # noqa: S603 - fixed command lines
            [RUNUSER, "-u", "postgres", "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if quiet else None,
            timeout=120,
        )

    def _directories(self, *, data: bool) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for path in (self.data, self.socket_dir) if data else (self.socket_dir,):
            path.mkdir(parents=True)
            shutil.chown(path, "postgres", "postgres")
        shutil.chown(self.workdir, "postgres", "postgres")

    def init(self) -> None:
        self._directories(data=True)
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def init_standby_of(self, primary: "OwnPostgres") -> None:
        """A copy of the running `primary` that streams its WAL (standby.signal, primary_conninfo)."""
        self._directories(data=False)
        self._as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip

    def start(self) -> None:
        extra = "".join(f" -c {name}={value}" for name, value in self.settings.items())
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.socket_dir} "
            f"-c max_connections={self.max_connections} -c superuser_reserved_connections=0 -c fsync=off{extra}"
        )
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.workdir / "postgres.log"),
            "start",
        )

    def stop(self, mode: str = "fast", *, quiet: bool = False) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", quiet=quiet)

    def stop_if_running(self) -> None:
        with suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate", quiet=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def start_own_services(stack: ExitStack, *, redis: OwnRedis, postgres: OwnPostgres, database: str) -> None:
    """Start `redis` and a new `postgres` cluster holding an empty `database`; `stack` stops both."""
    import psycopg

    redis.start()
    stack.callback(redis.kill)
    postgres.init()
    postgres.start()
    stack.callback(postgres.stop_if_running)
    with psycopg.connect(postgres.url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
