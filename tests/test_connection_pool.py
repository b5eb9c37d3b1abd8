"""The pooled PostgreSQL connection survives thousands of checkouts in one process.

A gunicorn worker returns its connection to Django's pool after every request and checks it out
again for the next. django-prometheus 2.4.1 wrapped the connection's `cursor_factory` once more at
every checkout, so after about a thousand requests each query recursed past Python's limit
(upstream django-commons/django-prometheus#445). Nothing short of a long run shows it.
"""

import socket
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client
from psycopg_pool import PoolTimeout
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
