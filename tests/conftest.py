"""Shared fixtures (users of each role and API clients signed in as them) and the backend markers' skips."""

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from tests.accounts.factories import AdminFactory, UserFactory
from tests.helpers import is_postgres

POSTGRES_REASON = "needs PostgreSQL (row locks / real concurrent transactions)"
REDIS_REASON = "needs a real Redis server (REDIS_URL)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.postgres` skips on SQLite, `@pytest.mark.redis` without REDIS_URL.

    `pytest.mark.postgres(reason="...")` adds why PostgreSQL is needed to the skip reason.
    """
    on_postgres, with_redis = is_postgres(), bool(settings.REDIS_URL)
    for item in items:
        postgres = item.get_closest_marker("postgres")
        if postgres is not None and not on_postgres:
            detail = postgres.kwargs.get("reason")
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL: {detail}" if detail else POSTGRES_REASON))
        if item.get_closest_marker("redis") is not None and not with_redis:
            item.add_marker(pytest.mark.skip(reason=REDIS_REASON))


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Rate-limit counters and cached answers must not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_windows_stand_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """Within a test, django-ratelimit's clock stands still (its module only: nothing else's).

    It counts in fixed windows of wall-clock time, so a test that sends N requests and expects
    the (N+1)th refused failed whenever a window ended in between: CI saw ten registers from
    00:23:41.994 to 42.027 and the eleventh, at 42.046, counted in a new window.
    """
    frozen = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def client_for() -> Callable[..., APIClient]:
    """`client_for(user)` is an APIClient sending that user's bearer access token."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}")
        return client

    return make


@pytest.fixture
def user_client(user, client_for) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_client(other_user, client_for) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def admin_client_api(admin_user, client_for) -> APIClient:
    return client_for(admin_user)


@pytest.fixture(scope="module")
def schema() -> dict:
    """The OpenAPI document as drf-spectacular builds it (what /api/schema/ serves)."""
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def staff(admin_user) -> Client:
    """A Django test client signed in to the admin as an admin (session login, as staff use it)."""
    client = Client()
    client.force_login(admin_user)
    return client
