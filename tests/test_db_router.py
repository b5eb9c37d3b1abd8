"""config.db_router: reads to replicas, writes and pinned users to the primary, a failing replica routed around.

The API tests run with a recording router: it makes the real decision, records it, and (unless a
test gives it a real replica alias) runs the query on the test database. They need
`transaction=True`: inside pytest-django's wrapping atomic block every read goes to the primary.
"""

import json
import os
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client, override_settings

from accounts.models import User
from config import db_router
from config.api.caching import bump_namespace, cached, namespace_version
from config.db_router import ReplicaRouter, RoutingState, down_key, pin_key
from tests.accounts.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory
from tests.accounts.test_auth import register_body

BASE_DIR = Path(__file__).resolve().parent.parent
REPLICA = "replica_0"
# A list that is never cached, so every request reads a database (the factory list is cached).
UNCACHED_LIST = "/api/v1/locations/"
WITH_REPLICAS = {
    "REPLICA_DATABASES": [REPLICA],
    "DATABASE_ROUTERS": ["tests.test_db_router.RecordingRouter"],
    "MIDDLEWARE": [
        *settings.MIDDLEWARE[: settings.MIDDLEWARE.index("config.api.middleware.ObjectNotFoundMiddleware")],
        "config.db_router.ReplicaRoutingMiddleware",
        *settings.MIDDLEWARE[settings.MIDDLEWARE.index("config.api.middleware.ObjectNotFoundMiddleware") :],
    ]
    if "config.db_router.ReplicaRoutingMiddleware" not in settings.MIDDLEWARE
    else settings.MIDDLEWARE,
}


class RecordingRouter(ReplicaRouter):
    decisions: Counter = Counter()
    execute_on_replica = False

    def db_for_read(self, model, **hints):
        alias = super().db_for_read(model, **hints)
        RecordingRouter.decisions[(model._meta.label, alias)] += 1
        return alias if self.execute_on_replica else DEFAULT_DB_ALIAS


def new_user() -> User:
    return UserFactory()  # type: ignore[return-value]  # factory_boy's stub types the factory


def reads_on(alias: str, label: str | None = None) -> int:
    return sum(n for (model, db), n in RecordingRouter.decisions.items() if db == alias and label in (None, model))


@pytest.fixture
def replicas():
    """Replica routing on (settings as with DATABASE_REPLICA_URLS), the cache answering, no decisions yet."""
    RecordingRouter.decisions = Counter()
    RecordingRouter.execute_on_replica = False
    cache.add(db_router.SENTINEL_KEY, "1", timeout=None)
    with override_settings(**WITH_REPLICAS):
        yield


# --- Without replicas nothing changes -------------------------------------------------------
@pytest.mark.skipif(bool(os.environ.get("DATABASE_REPLICA_URLS")), reason="replicas configured")
def test_without_replica_urls_there_is_no_router_middleware_or_alias():
    assert settings.DATABASE_ROUTERS == []
    assert settings.REPLICA_DATABASES == []
    assert "config.db_router.ReplicaRoutingMiddleware" not in settings.MIDDLEWARE
    assert set(settings.DATABASES) == {"default"}


def test_replica_urls_add_aliases_with_the_primarys_pool_options():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://app@primary:5432/app",
        "DATABASE_REPLICA_URLS": "postgres://app@replica-a:5432/app,postgres://app@replica-b:5432/app",
        "DB_POOL_MAX_SIZE": "7",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, "
        "'middleware': s.MIDDLEWARE, 'replicas': s.REPLICA_DATABASES}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stdout)
    databases = loaded["databases"]
    assert loaded["replicas"] == ["replica_0", "replica_1"]
    hosts = [databases[alias]["HOST"] for alias in ("default", "replica_0", "replica_1")]
    assert hosts == ["primary", "replica-a", "replica-b"]
    primary_pool = databases["default"]["OPTIONS"]["pool"]
    for alias in loaded["replicas"]:
        pool = databases[alias]["OPTIONS"]["pool"]
        assert (pool["min_size"], pool["max_size"]) == (primary_pool["min_size"], 7)
        assert pool["timeout"] == 1.0  # fails over quickly (the primary keeps DB_POOL_TIMEOUT)
        assert databases[alias]["ENGINE"] == databases["default"]["ENGINE"]
        assert databases[alias]["TEST"]["MIRROR"] == "default"
    assert primary_pool["timeout"] == 5.0
    assert loaded["routers"] == ["config.db_router.ReplicaRouter"]
    assert "config.db_router.ReplicaRoutingMiddleware" in loaded["middleware"]


# --- The router's decisions -----------------------------------------------------------------
@pytest.fixture
def state(replicas):
    routing = RoutingState(primary=False)
    token = db_router._state.set(routing)
    yield routing
    db_router._state.reset(token)


def test_outside_a_request_everything_reads_the_primary(replicas):
    assert ReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS  # management commands, shells, the admin's tasks


def test_a_request_reads_a_replica_unless_the_user_is_pinned(state):
    router = ReplicaRouter()
    db_router.identify(41)
    assert router.db_for_read(None) == REPLICA
    db_router.identify(42)
    db_router.pin_user(42)
    assert router.db_for_read(None) == DEFAULT_DB_ALIAS


def test_a_write_sends_the_rest_of_the_request_to_the_primary(state):
    router = ReplicaRouter()
    assert router.db_for_read(None) == REPLICA
    assert router.db_for_write(None) == DEFAULT_DB_ALIAS
    assert router.db_for_read(None) == DEFAULT_DB_ALIAS
    assert state.wrote


@pytest.mark.django_db(transaction=True)
def test_inside_an_atomic_block_reads_the_primary(state):
    with transaction.atomic():
        assert ReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_read(None) == REPLICA


def test_a_replica_flagged_down_is_skipped(state):
    cache.set(down_key(REPLICA), "1", timeout=10)
    assert ReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS


def test_an_unreachable_cache_means_the_primary(state):
    cache.delete(db_router.SENTINEL_KEY)  # what a get_many against a dead Redis looks like
    assert ReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS
    assert cache.get(db_router.SENTINEL_KEY) == "1"  # put back for the next request


def test_migrations_only_on_the_primary():
    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "posts")
    assert not ReplicaRouter().allow_migrate(REPLICA, "posts")


def test_primary_reads_block(state):
    with db_router.primary_reads():
        assert ReplicaRouter().db_for_read(None) == DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_read(None) == REPLICA


# --- Through the API ------------------------------------------------------------------------
def bearer(client, user):
    response = client.post("/api/v1/auth/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access']}"}


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_and_the_writer_is_pinned(replicas, client):
    user, other = new_user(), new_user()
    mine, theirs = bearer(client, user), bearer(client, other)
    cache.delete_many([pin_key(user.pk), pin_key(other.pk)])  # logging in pinned them

    RecordingRouter.decisions.clear()
    assert client.get(UNCACHED_LIST, **mine).status_code == 200
    assert reads_on(REPLICA) >= 1
    assert reads_on(DEFAULT_DB_ALIAS) == 0

    assert client.post("/api/v1/posts/", {"text": "hello"}, content_type="application/json", **mine).status_code == 201
    assert cache.get(pin_key(user.pk)) == "1"
    assert cache.get(pin_key(other.pk)) is None

    RecordingRouter.decisions.clear()
    assert client.get(UNCACHED_LIST, **mine).status_code == 200
    assert reads_on(DEFAULT_DB_ALIAS) >= 1
    assert reads_on(REPLICA) == 0
    RecordingRouter.decisions.clear()
    assert client.get(UNCACHED_LIST, **theirs).status_code == 200
    assert reads_on(REPLICA) >= 1
    assert reads_on(DEFAULT_DB_ALIAS) == 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_does_not_pin(replicas, client):
    user = new_user()
    headers = bearer(client, user)
    cache.delete(pin_key(user.pk))
    assert client.post("/api/v1/posts/", {"text": ""}, content_type="application/json", **headers).status_code == 400
    assert cache.get(pin_key(user.pk)) is None


@pytest.mark.django_db(transaction=True)
def test_registering_pins_the_new_user(replicas, client):
    response = client.post("/api/v1/auth/register/", register_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert cache.get(pin_key(response.json()["user"]["id"])) == "1"


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_session_requests_read_the_primary(replicas, client):
    client.force_login(AdminFactory())
    assert client.get(UNCACHED_LIST).status_code == 200
    assert client.get("/admin/posts/post/").status_code == 200
    assert reads_on(REPLICA) == 0
    assert reads_on(DEFAULT_DB_ALIAS) >= 1


@pytest.mark.django_db(transaction=True)
def test_recomputing_a_namespace_just_bumped_reads_the_primary(replicas, client):
    bump_namespace("catalog")  # a product write a moment ago
    assert client.get("/api/v1/products/").status_code == 200
    assert reads_on(DEFAULT_DB_ALIAS, "catalog.Product") >= 1
    assert reads_on(REPLICA, "catalog.Product") == 0
    RecordingRouter.decisions.clear()
    with override_settings(REPLICA_PIN_SECONDS=0):  # the pin window is over
        bump_namespace("catalog")
        assert client.get("/api/v1/products/").status_code == 200
    assert reads_on(REPLICA, "catalog.Product") >= 1
    assert reads_on(DEFAULT_DB_ALIAS, "catalog.Product") == 0


def test_version_tokens_carry_their_time_only_with_replicas():
    bump_namespace("ns-plain")
    assert "@" not in namespace_version("ns-plain")
    with override_settings(REPLICA_DATABASES=[REPLICA]):
        bump_namespace("ns-timed")
        assert "@" in namespace_version("ns-timed")
        assert cached("ns-timed", "k", lambda: "v", timeout=60) == "v"  # outside a request: plain compute


@pytest.fixture
def broken_replica(replicas):
    """`replica_0` is a real alias whose database cannot be opened (as a replica that is down)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    broken = {**connections.settings[DEFAULT_DB_ALIAS]}
    broken.update(ENGINE="django.db.backends.sqlite3", NAME="/nonexistent-dir/replica.sqlite3", OPTIONS={})
    # A connection of this thread only, not in DATABASES (Django's test case allows such aliases).
    connections[REPLICA] = DatabaseWrapper(broken, alias=REPLICA)
    RecordingRouter.execute_on_replica = True
    try:
        yield
    finally:
        RecordingRouter.execute_on_replica = False
        connections[REPLICA].close()
        del connections[REPLICA]


@pytest.mark.django_db(transaction=True)
def test_a_replica_that_is_down_sends_reads_to_the_primary_without_an_error(broken_replica):
    client = Client(raise_request_exception=False)  # the failed first attempt is logged, as in production
    user = new_user()
    headers = bearer(client, user)
    cache.delete(pin_key(user.pk))
    RecordingRouter.decisions.clear()
    response = client.get(UNCACHED_LIST, **headers)
    assert response.status_code == 200, response.content  # answered again on the primary
    assert reads_on(REPLICA) == 1
    assert reads_on(DEFAULT_DB_ALIAS) >= 1
    assert cache.get(down_key(REPLICA)) is not None  # every instance now skips it
    RecordingRouter.decisions.clear()
    assert client.get(UNCACHED_LIST, **headers).status_code == 200
    assert reads_on(REPLICA) == 0  # not even tried while flagged down
