"""The pooled PostgreSQL connection: thousands of checkouts, none to be had, PostgreSQL restarted or down.

A gunicorn worker returns its connection to Django's pool after every request and checks it out
again for the next. django-prometheus 2.4.1 wrapped the connection's `cursor_factory` once more at
every checkout, so after about a thousand requests each query recursed past Python's limit
(upstream django-commons/django-prometheus#445). Nothing short of a long run shows it.

A connection whose server session ended while it sat idle in the pool (PostgreSQL restarted) is
replaced at checkout, not handed to a request that would answer 503; once a checkout has failed,
the pool is not asked until a probe connects, so the next 503s come at once, and the first
checkout after PostgreSQL returned does not wait out the pool's reconnect backoff; a pool that is
merely busy is no outage (config/db/postgresql).
`loadtest/scenarios/faults.py` shows both with a real PostgreSQL stopped and started.
"""

import copy
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, ProgrammingError, connection, connections
from django.test import Client
from psycopg_pool import ConnectionPool, PoolTimeout
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from config.api.exceptions import is_database_unavailable
from config.db.postgresql.base import DatabaseWrapper
from tests.concurrency import run_concurrently
from tests.helpers import assert_error_shape

pytestmark = [
    pytest.mark.postgres(reason="Django's connection pool is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

CHECKOUTS = 3000


def _cursor_class_depth() -> int:
    return len(connection.connection.cursor_factory.__mro__)


def test_cursor_class_depth_stays_constant_over_thousands_of_pool_checkouts():
    assert getattr(connection, "pool", None) is not None, "the PostgreSQL settings must enable Django's pool"
    connection.ensure_connection()
    first_depth = _cursor_class_depth()

    for checkout in range(CHECKOUTS):
        connection.close()  # back to the pool, as at the end of a request
        connection.ensure_connection()
        assert _cursor_class_depth() == first_depth, f"cursor class grew at checkout {checkout}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s", [checkout])
            assert cursor.fetchone() == (checkout,)


# --- no connection to be had: 503 with Retry-After, never a 500 -----------------------------------
@pytest.fixture
def exhausted_pool():
    """Every connection of the pool checked out, and a short wait for the next one."""
    pool = connection.pool  # type: ignore[attr-defined]  # PostgreSQL's wrapper only
    saved_timeout = pool.timeout
    held = []
    try:
        while True:
            try:
                held.append(pool.getconn(timeout=0.2))
            except PoolTimeout:
                break
        pool.timeout = 0.3
        yield pool
    finally:
        pool.timeout = saved_timeout
        for conn in held:
            pool.putconn(conn)


def _in_a_fresh_thread(call):
    """Run `call` in a thread of its own, so its request needs a connection from the pool."""
    return run_concurrently(call)[0]


def _assert_unavailable(response):
    assert_error_shape(response, 503, code="service_unavailable")
    assert int(response["Retry-After"]) == settings.DATABASE_UNAVAILABLE_RETRY_AFTER


def test_api_answers_503_with_retry_after_when_the_pool_has_no_connection(user, exhausted_pool):
    # A 5xx is reported through got_request_exception, which the test client would re-raise.
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}")

    response = _in_a_fresh_thread(lambda: client.get("/api/v1/locations/"))

    _assert_unavailable(response)


def test_admin_answers_503_when_the_pool_has_no_connection(admin_user, exhausted_pool):
    browser = Client(raise_request_exception=False)
    browser.cookies["sessionid"] = "a-session-the-database-would-look-up"

    response = _in_a_fresh_thread(lambda: browser.get("/admin/"))

    _assert_unavailable(response)


def _connect_error(**params) -> OperationalError:
    with pytest.raises(OperationalError) as caught, connection.wrap_database_errors:
        psycopg.connect(**params, connect_timeout=2).close()
    return caught.value


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_counts_as_unavailable():
    error = _connect_error(host="127.0.0.1", port=_closed_port(), user="postgres", dbname="postgres")

    assert is_database_unavailable(error)


def test_too_many_connections_counts_as_unavailable():
    role = f"no_connections_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    try:
        params = connection.settings_dict
        error = _connect_error(host=params["HOST"], port=params["PORT"], user=role, dbname=params["NAME"])
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP ROLE "{role}"')

    assert "too many connections" in str(error)  # psycopg gives no SQLSTATE before the session starts
    assert is_database_unavailable(error)


def test_a_bad_query_is_not_unavailability():
    with pytest.raises(ProgrammingError) as caught, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")

    assert not is_database_unavailable(caught.value)


# --- after PostgreSQL restarted: a pooled connection it broke is replaced, not a 503 -------------
def _terminate_every_other_session() -> int:
    """What a PostgreSQL restart does to the pool's idle connections: their server sessions end.

    From a connection of its own, outside the pool; returns how many sessions it ended.
    """
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"], autocommit=True
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.fixture
def small_pool():
    """A fresh pool holding what a quiet gunicorn worker's holds: one or two idle connections."""
    connection.close()
    connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper only
    yield connection.pool  # type: ignore[attr-defined]
    connection.close()


def _me(client: APIClient):
    return _in_a_fresh_thread(lambda: client.get("/api/v1/auth/me/"))


def test_a_pooled_connection_whose_session_ended_is_replaced_at_checkout(user, small_pool):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}")
    assert _me(client).status_code == 200  # the pool now holds an idle, working connection
    assert small_pool.get_stats()["pool_available"] >= 1

    assert _terminate_every_other_session() >= 1

    statuses = [_me(client).status_code for _ in range(4)]
    assert statuses == [200] * 4, "no request may fail on a connection the server closed while it was idle"


def test_the_pool_checks_connections_at_checkout():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.pool._check is ConnectionPool.check_connection  # type: ignore[attr-defined]


# --- while PostgreSQL is unreachable: the long wait once, then 503s at once until it is back ----
NORMAL_WAIT = 1.0
PROBE_INTERVAL = 0.5


def _database_wrapper(alias: str, **changes) -> DatabaseWrapper:
    """A wrapper of the test database's engine under `alias`, with its own pool (`changes` to it)."""
    params = copy.deepcopy(connection.settings_dict)
    port = changes.pop("PORT", params["PORT"])
    params["PORT"] = port
    params["OPTIONS"]["pool"] = {**params["OPTIONS"]["pool"], **changes}
    return DatabaseWrapper(params, alias)


@contextmanager
def own_pool(alias: str, **changes) -> Iterator[DatabaseWrapper]:
    wrapper = _database_wrapper(f"{alias}_{uuid.uuid4().hex[:8]}", **changes)
    try:
        yield wrapper
    finally:
        wrapper.close()
        wrapper.close_pool()
        DatabaseWrapper._breakers.pop(wrapper.alias, None)


def _failed_connect(wrapper) -> float:
    """Seconds until `wrapper.ensure_connection()` failed as unavailable (a 503 of the API)."""
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught:
        wrapper.ensure_connection()
    assert is_database_unavailable(caught.value)
    return time.monotonic() - started


def test_while_the_server_is_unreachable_only_the_first_checkout_waits_the_pool_timeout(settings, monkeypatch):
    settings.DB_OUTAGE_PROBE_INTERVAL = PROBE_INTERVAL
    probes = []
    probe = DatabaseWrapper._probe

    def counted_probe(pool) -> None:
        probes.append(pool)
        probe(pool)

    monkeypatch.setattr(DatabaseWrapper, "_probe", staticmethod(counted_probe))

    with own_pool("unreachable", PORT=_closed_port(), timeout=NORMAL_WAIT, min_size=0) as unreachable:
        first = _failed_connect(unreachable)
        later = [_failed_connect(unreachable) for _ in range(3)]

    assert NORMAL_WAIT * 0.9 <= first < NORMAL_WAIT + 1, "the first failure waits the pool timeout"
    assert all(wait < 0.3 for wait in later), f"503s once the outage was seen took {later} s"
    assert len(probes) == 1, f"one probe per {PROBE_INTERVAL} s, then failures without one: {len(probes)}"


class Cuttable:
    """A TCP port in front of PostgreSQL that can be cut (new connections refused, open ones broken), then restored.

    What a PostgreSQL restart looks like to a pool, without stopping the machine's PostgreSQL.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = _closed_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._listener is not None:
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
            self._listener.close()
            self._listener = None
        for sock in self._open:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()


def test_after_an_outage_it_saw_a_process_connects_as_soon_as_postgresql_is_back(settings):
    """The quiet phase of loadtest/scenarios/faults.py in small: the reconnect backoff must not outlive the outage."""
    settings.DB_OUTAGE_PROBE_INTERVAL = 0.2
    link = Cuttable(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    link.start()
    try:
        with own_pool("restarted", PORT=link.port, timeout=NORMAL_WAIT, min_size=1, max_size=2) as restarted:
            restarted.ensure_connection()
            restarted.close()  # an idle connection in the pool, as after a request
            link.cut()
            _failed_connect(restarted)  # the outage seen: the pool's reconnects now back off 1, 2, 4 s
            time.sleep(3)
            link.start()
            time.sleep(0.2)

            started = time.monotonic()
            restarted.ensure_connection()
            waited = time.monotonic() - started
            with restarted.cursor() as cursor:
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
    finally:
        link.cut()

    assert waited < 0.5, f"the first checkout after PostgreSQL returned took {waited:.2f} s"


# --- a busy pool is no outage: every request waits the pool timeout -----------------------------
@pytest.fixture
def normal_wait(settings, monkeypatch):
    """The default pool with a wait of NORMAL_WAIT s; the breaker closed again afterwards."""
    settings.DB_OUTAGE_PROBE_INTERVAL = PROBE_INTERVAL
    connection.close()
    connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper only
    monkeypatch.setitem(connection.settings_dict["OPTIONS"]["pool"], "timeout", NORMAL_WAIT)
    yield connection.pool  # type: ignore[attr-defined]
    connection.close()
    connection.close_pool()  # type: ignore[attr-defined]  # the next one with the settings' timeout
    DatabaseWrapper._breakers.pop(connection.alias, None)


@contextmanager
def every_connection_checked_out(pool) -> Iterator[None]:
    """Every connection of `pool` checked out by requests of this process (wrappers of its alias)."""
    connection.close()  # this thread's own goes back first
    holders = [connections.create_connection(connection.alias) for _ in range(pool.max_size)]
    try:
        for holder in holders:
            holder.ensure_connection()
        yield
    finally:
        for holder in holders:
            holder.close()


def test_an_exhausted_pool_is_no_outage_each_request_waits_the_pool_timeout(user, normal_wait):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}")

    with every_connection_checked_out(normal_wait):
        answers = [_timed(lambda: _me(client)) for _ in range(3)]

    for response, wait in answers:
        _assert_unavailable(response)
        # PostgreSQL is up (the probe connects): waiting for a connection to free up is the contract.
        assert wait >= NORMAL_WAIT * 0.9, f"a 503 of a busy pool came after {wait:.2f} s, not the pool timeout"
    assert _me(client).status_code == 200


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started
