"""The harness of the load, latency and fuzzing scripts: live servers, always stopped, and wrk.

A live gunicorn, started in its own process group:

`manage(env, "migrate", ...)` runs a management command with the same settings first.

    with live_gunicorn(env, port=8471, log=path) as server:
        ...  # server.pid is gunicorn's master; its workers are its children

`env` holds the settings (DJANGO_SETTINGS_MODULE, DATABASE_URL, ...); GUNICORN_BIND is set from
`port`. It waits until `/ready/` answers 200 (database and cache reachable) before yielding.

wrk, with a script that uses loadtest/wrk_common.lua (its one result line):

    result = run_wrk(script, f"http://127.0.0.1:{port}", *script_args, threads=1, connections=8, seconds=10)
    result.rate, result.p99_ms, result.by_status(), result.socket_errors, ...

The scenarios (pass/fail checks) are in loadtest/scenarios/, the measurements in benchmarks/.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"  # the virtualenv running the script
GRANIAN = Path(sys.executable).parent / "granian"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
PG_BIN = (
    Path(sorted(Path("/usr/lib/postgresql").iterdir())[-1]) / "bin" if Path("/usr/lib/postgresql").is_dir() else Path()
)


def own_stack_parser(doc: str | None, **ports: int) -> argparse.ArgumentParser:
    """A scenario's command line: its docstring as help, then one integer option per keyword, its
    underscores as dashes (`redis_port=6391` gives `--redis-port`, default 6391); the scenario adds the rest."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in ports.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    return parser


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
def live_gunicorn(
    env: dict[str, str], *, port: int, log: IO | None = None, app: str = "config.wsgi"
) -> Iterator[subprocess.Popen]:
    """gunicorn serving `app` (the service unless told) with the repository's gunicorn.conf.py."""
    command = [str(GUNICORN), app, "-c", "gunicorn.conf.py"]
    with _live(command, {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, port, log) as server:
        yield server


@contextmanager
def live_granian(
    env: dict[str, str], *, port: int, log: IO | None = None, app: str = "config.wsgi:application"
) -> Iterator[subprocess.Popen]:
    """granian (a Rust HTTP server, WSGI interface) serving `app` with env's GUNICORN_WORKERS
    processes of one thread each: the server the benchmark suite measures beside gunicorn (--server)."""
    workers = env.get("GUNICORN_WORKERS", "2")
    command = [str(GRANIAN), "--interface", "wsgi", "--workers", workers, "--blocking-threads", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log", app]
    with (
        tempfile.TemporaryDirectory(prefix="granian-metrics-") as metrics,
        _live(command, {**env, "PROMETHEUS_MULTIPROC_DIR": metrics}, port, log) as server,
    ):
        yield server


def live_server(
    server: str, env: dict[str, str], *, port: int, log: IO | None = None, hello: bool = False
) -> "contextlib.AbstractContextManager[subprocess.Popen]":
    """`live_gunicorn` or `live_granian` by name, serving the service or (hello) the floor app."""
    if server not in ("gunicorn", "granian"):
        raise ValueError(f"server {server!r}: gunicorn or granian")
    if server == "granian":
        app = "benchmarks.hello_wsgi:app" if hello else "config.wsgi:application"
        return live_granian(env, port=port, log=log, app=app)
    return live_gunicorn(env, port=port, log=log, app="benchmarks.hello_wsgi:app" if hello else "config.wsgi")


@contextmanager
def _live(command: list[str], env: dict[str, str], port: int, log: IO | None) -> Iterator[subprocess.Popen]:
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        command,
        cwd=BASE_DIR,
        env={**os.environ, **env},
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


def machine_environment(name: str, database: str, redis_db: int, *, workers: int, **extra: str) -> dict[str, str]:
    """`production_environment` on the machine's PostgreSQL (127.0.0.1:5432, `database`) and Redis (db `redis_db`)."""
    return production_environment(
        name=name,
        database_url=f"postgres://postgres@127.0.0.1:5432/{database}",
        redis_url=f"redis://127.0.0.1:6379/{redis_db}",
        workers=workers,
        **extra,
    )


def machine_stack(name: str, args: Any, **extra: str) -> dict[str, str]:
    """A fresh database `args.database` on the machine's PostgreSQL, migrated, and Django set up on it.

    The settings (`machine_environment`, returned) use Redis db `args.redis_db` and `args.workers`
    gunicorn workers: the options every scenario on the machine's own servers takes.
    """
    env = machine_environment(name, args.database, args.redis_db, workers=args.workers, **extra)
    recreate_database(args.database)
    migrate(env)
    setup_django(env)
    return env


def own_environment(
    name: str, database_url: str, redis: "OwnRedis", workdir: Path, *, workers: int, **extra: str
) -> dict[str, str]:
    """`production_environment` on a script's own PostgreSQL and Redis: rate limits off, metrics in workdir/metrics."""
    (workdir / "metrics").mkdir()
    return production_environment(
        name=name,
        database_url=database_url,
        redis_url=f"redis://127.0.0.1:{redis.port}/0",
        workers=workers,
        RATE_LIMIT_ENABLED="false",
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"),
        **extra,
    )


def migrate(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput", "-v", "0")


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


# --- wrk ----------------------------------------------------------------------------------------
@dataclass
class WrkResult:
    """The numbers of one wrk run, from the `WRK-RESULT {...}` line of loadtest/wrk_common.lua."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]  # wrk's: connect, read, write, timeout (socket errors), status (answers >= 400)
    statuses: dict[str, int]  # the script's labels ("<kind> <status>", or "<status>") -> answers

    @classmethod
    def from_output(cls, output: str) -> "WrkResult | None":
        match = re.search(r"^WRK-RESULT (\{.*\})$", output, re.MULTILINE)
        if not match:
            return None
        raw = json.loads(match.group(1))
        return cls(
            requests=raw["requests"],
            seconds=raw["duration_us"] / 1e6,
            p50_ms=raw["p50_us"] / 1000,
            p99_ms=raw["p99_us"] / 1000,
            errors={kind: raw[kind] for kind in ("connect", "read", "write", "timeout", "status")},
            statuses=raw["statuses"],
        )

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(self.errors[kind] for kind in ("connect", "read", "write", "timeout"))

    def by_status(self) -> Counter:
        """Answers by HTTP status (the last word of each label)."""
        counts: Counter = Counter()
        for label, count in self.statuses.items():
            counts[int(label.rsplit(" ", 1)[-1])] += count
        return counts


class WrkRun:
    """wrk running `script` against `url` (script arguments after `--`); `result()` waits for it.

    Every connection has its own wrk thread when `threads` equals `connections`: then a script's
    request() and response() strictly alternate on a thread. Each request times out after 10 s.
    """

    def __init__(
        self, script: Path, url: str, *script_args: str, threads: int, connections: int, seconds: float
    ) -> None:
        self.url, self.seconds = url, seconds
        self.process = subprocess.Popen(  # noqa: S603 - the scripts' own fixed command lines
            [
                WRK,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                url,
                "--",
                *script_args,
            ],
            env={**os.environ, "LUA_PATH": f"{BASE_DIR / 'loadtest'}/?.lua;;"},  # require("wrk_common")
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self) -> WrkResult:
        try:
            output, errors = self.process.communicate(timeout=self.seconds + 60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        result = WrkResult.from_output(output)
        if result is None:
            raise RuntimeError(
                f"wrk against {self.url} exited {self.process.returncode} with no result:\n{output}\n{errors}"
            )
        return result


def run_wrk(script: Path, url: str, *script_args: str, threads: int, connections: int, seconds: float) -> WrkResult:
    """wrk with `script` against `url` for `seconds`; its numbers (see `WrkRun` to run several at once)."""
    return WrkRun(script, url, *script_args, threads=threads, connections=connections, seconds=seconds).result()


def lua_literal(value: Any) -> str:
    """`value` (dicts, lists, booleans, integers, strings) as a Lua literal, for a wrk script's data file."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_literal(k)}] = {lua_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid Lua string literal for this data


def start_own_stack(
    stack: ExitStack,
    *,
    name: str,
    redis: OwnRedis,
    postgres: OwnPostgres,
    database: str,
    workdir: Path,
    workers: int,
    url_options: str = "",
    **extra: str,
) -> dict[str, str]:
    """`start_own_services`, then the settings on them (`own_environment`), migrated; `stack` stops both servers."""
    start_own_services(stack, redis=redis, postgres=postgres, database=database)
    env = own_environment(name, postgres.url(database) + url_options, redis, workdir, workers=workers, **extra)
    migrate(env)
    return env
