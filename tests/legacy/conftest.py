"""The predecessors' databases, real ones: each made from its SQL file under fixtures/.

- PostgreSQL sources (catalog, sprockets) are databases on the server the tests use
  (`DATABASE_URL`), named `<its database>_src_<name>`; their tests are `@pytest.mark.postgres`.
- MySQL sources (posts, messaging) live on a MariaDB server of the tests' own (Debian's
  `mariadb-server`, which `.ci/run` installs), initialised into a temporary folder and started
  on a free port for the session, then stopped; without `mariadbd` their tests are skipped,
  saying so.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MARIADB_MISSING = (
    "needs Debian's mariadb-server (mariadbd, mariadb-install-db) for the MySQL-based predecessors: "
    "apt-get install -y mariadb-server (.ci/run installs it)"
)


# --- PostgreSQL -------------------------------------------------------------------------------
def _postgres_url(database: str) -> str:
    parsed = urlparse(os.environ.get("DATABASE_URL", ""))
    return urlunparse(parsed._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def postgres_source() -> Iterator[Callable[[str], str]]:
    """`postgres_source("catalog")`: a fresh database from fixtures/catalog_service.sql; its URL."""
    import psycopg

    base = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "legacy"
    made: list[str] = []

    def make(name: str) -> str:
        database = f"{base}_src_{name}"
        with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        url = _postgres_url(database)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute((FIXTURES / f"{name}_service.sql").read_text())  # type: ignore[arg-type]
        made.append(database)
        return url

    yield make
    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
        for database in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# --- MariaDB ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[str]:
    """A MariaDB server of the tests' own, for the session: its base URL (`mysql://root@127.0.0.1:port`)."""
    server, install = (
        shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin"),
        shutil.which("mariadb-install-db"),
    )
    if not server or not install:
        pytest.skip(MARIADB_MISSING)
    folder = Path(tempfile.mkdtemp(prefix="legacy-mariadb-"))
    data = folder / "data"
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            install,
            "--no-defaults",
            f"--datadir={data}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *user,
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(
        [
            server,
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={folder / 'server.sock'}",
            f"--pid-file={folder / 'server.pid'}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            # A throwaway server for one test session: no accounts to manage, no binary log.
            "--skip-grant-tables",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=32M",
            *user,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, process, folder)
        yield f"mysql://root@127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    import pymysql  # type: ignore[import-untyped]  # no stubs shipped; the tests use three calls

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mariadbd exited: {(folder / 'server.log').read_text(errors='replace')[-2000:]}")
        try:
            pymysql.connect(host="127.0.0.1", port=port, user="root").close()
            return
        except pymysql.MySQLError:
            time.sleep(0.2)
    raise RuntimeError("mariadbd did not accept connections within 30 s")


@pytest.fixture(scope="session")
def mysql_source(mariadb_server: str) -> Callable[[str], str]:
    """`mysql_source("posts")`: a fresh database from fixtures/posts_service.sql on the session's MariaDB."""
    import pymysql  # type: ignore[import-untyped]  # no stubs shipped; the tests use three calls

    port = int(urlparse(mariadb_server).port or 3306)

    def make(name: str, *, sql: str | None = None) -> str:
        database = f"src_{name}"
        connection = pymysql.connect(
            host="127.0.0.1", port=port, user="root", client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
                cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
                cursor.execute(f"USE `{database}`")
                cursor.execute(sql if sql is not None else (FIXTURES / f"{name}_service.sql").read_text())
                while cursor.nextset():
                    pass
            connection.commit()
        finally:
            connection.close()
        return f"{mariadb_server}/{database}"

    return make
