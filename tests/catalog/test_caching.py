"""Cached reads: zero-query hits, invalidation after writes (also from another process), ETag/304,
and answers from the database when the cache is unreachable.

Most tests run on whatever cache the settings give (local memory on SQLite, Redis when
REDIS_URL is set); the cross-process test needs PostgreSQL and a real Redis server.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalog.models import Product

from .factories import make_product
from .helpers import PRODUCTS_URL, detail_url

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
CLOSED_PORT_REDIS = "redis://127.0.0.1:6399/0"

# Invalidation happens in `on_commit`: these tests need real commits, not a rolled-back test transaction.
committed = pytest.mark.django_db(transaction=True)


def _get(client, url, params=None, **meta):
    return client.get(url, params or {}, **meta)


# --- the backend under test ------------------------------------------------------------------
@pytest.mark.redis
def test_redis_is_the_cache_when_configured():
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()


# --- hits ------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"search": "widget"}, {"category": "tools", "ordering": "price"}])
def test_list_cache_hit_makes_no_database_query(api_client, params):
    make_product(name="Blue widget", category="Tools")
    first = _get(api_client, PRODUCTS_URL, params)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = _get(api_client, PRODUCTS_URL, params)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert len(queries) == 0, [query["sql"] for query in queries]


def test_detail_cache_hit_makes_no_database_query(api_client):
    product = make_product()
    assert _get(api_client, detail_url(product.id)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = _get(api_client, detail_url(product.id))
    assert response.json()["id"] == str(product.id)
    assert len(queries) == 0


def test_query_string_order_does_not_split_the_cache(api_client):
    make_product(category="Tools")
    assert _get(api_client, f"{PRODUCTS_URL}?category=Tools&ordering=price").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert _get(api_client, f"{PRODUCTS_URL}?ordering=price&category=Tools").status_code == 200
    assert len(queries) == 0


def test_cached_links_follow_the_host_of_the_request(api_client):
    for index in range(3):
        make_product(sku=f"L-{index}")
    one = _get(api_client, PRODUCTS_URL, {"page_size": 1}, HTTP_HOST="localhost").json()
    other = _get(api_client, PRODUCTS_URL, {"page_size": 1}, HTTP_HOST="127.0.0.1").json()
    assert one["next"].startswith("http://localhost/api/v1/products/?")
    assert other["next"].startswith("http://127.0.0.1/api/v1/products/?")
    no_slash = _get(api_client, "/api/v1/products", {"page_size": 1}).json()
    # One resource either way: the links carry the slash (config.api.pagination.canonical_link).
    assert no_slash["next"].startswith("http://testserver/api/v1/products/?")


def test_list_query_count_does_not_grow_with_page_size(api_client, django_assert_max_num_queries):
    Product.objects.bulk_create([Product(name=f"P{i}", price=1, sku=f"Q-{i}") for i in range(60)])
    # Each request is a miss (distinct page size): a count and one select, whatever the size.
    for page_size in (1, 10, 50):
        with django_assert_max_num_queries(2):
            response = _get(api_client, PRODUCTS_URL, {"page_size": page_size})
        assert len(response.json()["results"]) == page_size


# --- invalidation ----------------------------------------------------------------------------
@committed
def test_create_invalidates_list_and_search(admin_client_api, api_client):
    make_product(name="Old widget")
    assert _get(api_client, PRODUCTS_URL).json()["count"] == 1
    assert _get(api_client, PRODUCTS_URL, {"search": "widget"}).json()["count"] == 1
    response = admin_client_api.post(PRODUCTS_URL, {"name": "New widget", "price": "1.00", "sku": "NEW"})
    assert response.status_code == 201
    assert _get(api_client, PRODUCTS_URL).json()["count"] == 2
    assert _get(api_client, PRODUCTS_URL, {"search": "widget"}).json()["count"] == 2


@committed
def test_update_invalidates_list_detail_and_search(admin_client_api, api_client):
    product = make_product(name="Before")
    assert _get(api_client, PRODUCTS_URL).json()["results"][0]["name"] == "Before"
    assert _get(api_client, detail_url(product.id)).json()["name"] == "Before"
    assert _get(api_client, PRODUCTS_URL, {"search": "after"}).json()["count"] == 0

    assert admin_client_api.patch(detail_url(product.id), {"name": "After"}).status_code == 200

    assert _get(api_client, PRODUCTS_URL).json()["results"][0]["name"] == "After"
    assert _get(api_client, detail_url(product.id)).json()["name"] == "After"
    assert _get(api_client, PRODUCTS_URL, {"search": "after"}).json()["count"] == 1


@committed
def test_delete_invalidates_list_and_detail(admin_client_api, api_client):
    product = make_product()
    assert _get(api_client, detail_url(product.id)).status_code == 200
    assert _get(api_client, PRODUCTS_URL).json()["count"] == 1
    assert admin_client_api.delete(detail_url(product.id)).status_code == 204
    assert _get(api_client, detail_url(product.id)).status_code == 404
    assert _get(api_client, PRODUCTS_URL).json()["count"] == 0


def test_failed_write_keeps_the_cache(admin_client_api, api_client):
    """A rejected write changes nothing, so the cached answer is still served without a query."""
    make_product(sku="TAKEN")
    assert _get(api_client, PRODUCTS_URL).status_code == 200
    assert admin_client_api.post(PRODUCTS_URL, {"name": "x", "price": "1", "sku": "TAKEN"}).status_code == 400
    with CaptureQueriesContext(connection) as queries:
        assert _get(api_client, PRODUCTS_URL).json()["count"] == 1
    assert len(queries) == 0


@pytest.mark.redis
@pytest.mark.postgres(reason="the other process must reach the test database")
@pytest.mark.django_db(transaction=True)
def test_write_in_another_process_invalidates_this_process(api_client):
    product = make_product(name="Before", price="5.00")
    assert _get(api_client, detail_url(product.id)).json()["name"] == "Before"
    assert _get(api_client, PRODUCTS_URL).json()["results"][0]["name"] == "Before"
    assert _get(api_client, PRODUCTS_URL, {"search": "after"}).json()["count"] == 0

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    script = (
        "from catalog.models import Product; from catalog import services; "
        f"services.product_update(product=Product.objects.get(pk='{product.id}'), data={{'name': 'After'}})"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
    }
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )

    assert _get(api_client, detail_url(product.id)).json()["name"] == "After"
    assert _get(api_client, PRODUCTS_URL).json()["results"][0]["name"] == "After"
    assert _get(api_client, PRODUCTS_URL, {"search": "after"}).json()["count"] == 1


# --- ETag / If-None-Match --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["list", "detail"])
def test_etag_and_304(api_client, kind):
    product = make_product()
    url = PRODUCTS_URL if kind == "list" else detail_url(product.id)
    first = _get(api_client, url)
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')

    with CaptureQueriesContext(connection) as queries:  # a cache hit answers the 304 too
        not_modified = _get(api_client, url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["ETag"] == etag
    assert len(queries) == 0

    assert _get(api_client, url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    stale = _get(api_client, url, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200
    assert stale.headers["ETag"] == etag


@committed
def test_etag_changes_after_a_write(admin_client_api, api_client):
    product = make_product(name="Before")
    etag = _get(api_client, detail_url(product.id)).headers["ETag"]
    list_etag = _get(api_client, PRODUCTS_URL).headers["ETag"]
    assert admin_client_api.patch(detail_url(product.id), {"name": "After"}).status_code == 200

    response = _get(api_client, detail_url(product.id), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["name"] == "After"
    assert response.headers["ETag"] != etag
    listing = _get(api_client, PRODUCTS_URL, HTTP_IF_NONE_MATCH=list_etag)
    assert listing.status_code == 200
    assert listing.headers["ETag"] != list_etag


# --- cache outage ----------------------------------------------------------------------------
def _unreachable_redis_caches() -> dict:
    """The production cache configuration (base settings), pointed at a port nobody listens on."""
    if settings.REDIS_URL:
        return {"default": {**settings.CACHES["default"], "LOCATION": CLOSED_PORT_REDIS}}
    return {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }


@committed
def test_catalog_answers_from_the_database_when_the_cache_is_unreachable(api_client, admin_client_api):
    product = make_product(name="Still here")
    # Without REDIS_URL the base settings do not set the flag; with it, they must have.
    ignore_exceptions = settings.DJANGO_REDIS_IGNORE_EXCEPTIONS if settings.REDIS_URL else True
    with override_settings(CACHES=_unreachable_redis_caches(), DJANGO_REDIS_IGNORE_EXCEPTIONS=ignore_exceptions):
        listing = _get(api_client, PRODUCTS_URL)
        assert listing.status_code == 200
        assert listing.json()["results"][0]["name"] == "Still here"
        assert "ETag" in listing.headers
        detail = _get(api_client, detail_url(product.id))
        assert detail.status_code == 200
        assert _get(api_client, PRODUCTS_URL, {"search": "still"}).json()["count"] == 1
        # Writes still work, and the next read sees them (nothing is cached while it is down).
        assert admin_client_api.patch(detail_url(product.id), {"name": "Changed"}).status_code == 200
        assert _get(api_client, detail_url(product.id)).json()["name"] == "Changed"

        ready = api_client.get("/ready/")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "cache": "error"}
