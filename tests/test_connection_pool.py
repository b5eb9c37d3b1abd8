"""The pooled PostgreSQL connection: thousands of checkouts, none to be had, PostgreSQL restarted or down.

A gunicorn worker returns its connection to Django's pool after every request and checks it out
again for the next. django-prometheus 2.4.1 wrapped the connection's `cursor_factory` once more at
every checkout, so after about a thousand requests each query recursed past Python's limit
(upstream django-commons/django-prometheus#445). Nothing short of a long run shows it.

A connection whose server session ended while it sat idle in the pool (PostgreSQL restarted) is
replaced at checkout, not handed to a request that would answer 503; once a checkout has failed,
the next ones wait DB_OUTAGE_POOL_TIMEOUT, not the whole pool timeout (config/db/postgresql).
`loadtest/faults.py` shows both with a real PostgreSQL stopped and started.
"""

import socket
import time
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client
from psycopg_pool import ConnectionPool, PoolTimeout
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from config.api.exceptions import is_database_unavailable
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


# --- while PostgreSQL is unreachable: the long wait once, then a short one -----------------------
NORMAL_WAIT = 1.5
OUTAGE_WAIT = 0.2


@pytest.fixture
def breaker_pool(settings, monkeypatch):
    """The default pool with a normal wait of NORMAL_WAIT s and an outage wait of OUTAGE_WAIT s."""
    settings.DB_OUTAGE_POOL_TIMEOUT = OUTAGE_WAIT
    connection.close()
    pool = connection.pool  # type: ignore[attr-defined]
    monkeypatch.setitem(connection.settings_dict["OPTIONS"]["pool"], "timeout", NORMAL_WAIT)
    saved = pool.timeout
    pool.timeout = NORMAL_WAIT
    yield pool
    pool.timeout = saved


@contextmanager
def every_connection_held(pool):
    """No connection to be had from `pool`: the checkouts of a database that stopped answering."""
    held = []
    try:
        while True:
            try:
                held.append(pool.getconn(timeout=0.2))
            except PoolTimeout:
                break
        yield held
    finally:
        for conn in held:
            pool.putconn(conn)


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_after_a_failed_checkout_the_next_ones_wait_briefly_until_one_succeeds(user, breaker_pool):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}")

    with every_connection_held(breaker_pool):
        first, first_wait = _timed(lambda: _me(client))
        later = [_timed(lambda: _me(client)) for _ in range(3)]

    _assert_unavailable(first)
    assert first_wait >= NORMAL_WAIT, "the first failure waits the whole pool timeout (a busy pool is no outage)"
    for response, wait in later:
        _assert_unavailable(response)
        assert wait < NORMAL_WAIT / 2, f"a 503 once the outage was seen took {wait:.2f} s"
    assert breaker_pool.timeout == OUTAGE_WAIT

    recovered = _me(client)

    assert recovered.status_code == 200
    assert breaker_pool.timeout == NORMAL_WAIT, "the first checkout that succeeds closes the breaker"


def test_the_breaker_discards_the_idle_connections_the_outage_broke(user, small_pool, breaker_pool):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}")
    assert _me(client).status_code == 200
    assert breaker_pool.get_stats()["pool_available"] >= 1
    _terminate_every_other_session()  # PostgreSQL restarted while the connections sat idle

    connection._trip(breaker_pool)  # type: ignore[attr-defined]  # a checkout failed during the outage

    # PostgreSQL is back; the short wait leaves no room for the pool's backoff past a broken one.
    assert breaker_pool.timeout == OUTAGE_WAIT
    assert _me(client).status_code == 200
    assert breaker_pool.timeout == NORMAL_WAIT
