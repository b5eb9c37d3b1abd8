"""The pooled PostgreSQL connection survives thousands of checkouts in one process.

A gunicorn worker returns its connection to Django's pool after every request and checks it out
again for the next. django-prometheus 2.4.1 wrapped the connection's `cursor_factory` once more at
every checkout, so after about a thousand requests each query recursed past Python's limit
(upstream django-commons/django-prometheus#445). Nothing short of a long run shows it.
"""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="Django's connection pool is PostgreSQL's"),
]

CHECKOUTS = 3000


def _cursor_class_depth() -> int:
    return len(connection.connection.cursor_factory.__mro__)


def test_cursor_class_depth_stays_constant_over_thousands_of_pool_checkouts():
    assert connection.pool is not None, "the PostgreSQL settings must enable Django's pool"
    connection.ensure_connection()
    first_depth = _cursor_class_depth()

    for checkout in range(CHECKOUTS):
        connection.close()  # back to the pool, as at the end of a request
        connection.ensure_connection()
        assert _cursor_class_depth() == first_depth, f"cursor class grew at checkout {checkout}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s", [checkout])
            assert cursor.fetchone() == (checkout,)
