"""The list's total is counted once per filter (config.api.caching.CachedReadMixin.paginated_count).

Every page, page size and ordering of one filter share the count; a new filter counts its own; a
write that invalidates the list invalidates its counts too.
"""

from collections.abc import Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from redis.connection import AbstractConnection

from tests.posts.factories import PostFactory

from .factories import make_product
from .helpers import PRODUCTS_URL

committed = pytest.mark.django_db(transaction=True)


def _counted(client, params: dict) -> tuple[int, int]:
    """(`count` of the answer, how many COUNT queries answering it ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PRODUCTS_URL, params)
    assert response.status_code == 200, response.content
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    return response.json()["count"], len(counts)


@committed
def test_pages_sizes_and_orderings_of_one_filter_count_once(api_client):
    for number in range(5):
        make_product(sku=f"C{number}", category="Tools", price=number + 1)
    make_product(sku="G", category="Garden")
    assert _counted(api_client, {"category": "tools", "page_size": 2}) == (5, 1)
    assert _counted(api_client, {"category": "tools", "page_size": 2, "page": 2}) == (5, 0)
    assert _counted(api_client, {"category": "tools", "page_size": 3, "ordering": "-price"}) == (5, 0)
    assert _counted(api_client, {"category": "garden"}) == (1, 1)
    assert _counted(api_client, {}) == (6, 1)


@committed
def test_a_write_drops_the_counts_with_the_pages(api_client, admin_client_api):
    make_product(sku="A", category="Tools")
    assert _counted(api_client, {"category": "tools", "page_size": 1}) == (1, 1)
    response = admin_client_api.post(
        PRODUCTS_URL, {"name": "New", "sku": "B", "category": "Tools", "price": "2.00", "stock": 1}, format="json"
    )
    assert response.status_code == 201, response.content
    assert _counted(api_client, {"category": "tools", "page_size": 1, "page": 2}) == (2, 1)


@committed
def test_each_viewer_has_its_own_count(user, other_user, client_for):
    PostFactory.create_batch(2, author=user)
    PostFactory.create_batch(3, author=other_user)
    for viewer, expected in ((user, 2), (other_user, 3), (user, 2)):
        response = client_for(viewer).get("/api/v1/posts/", {"page_size": 1})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == expected


@pytest.fixture
def redis_round_trips() -> Iterator[list[int]]:
    """How many commands each round trip of the cache to Redis sent (one entry per round trip).

    The rate limits' counters (`rl:` keys, config/api/ratelimit.py) are left out: the suite runs without them.
    """
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (the Redis backend)")
    trips: list[int] = []
    real_send = AbstractConnection.send_packed_command

    def spy(self, command, *args, **kwargs):
        # A single command is bytes or a list of its parts; a pipeline sends a list of such lists.
        packed = command if isinstance(command, list) else [command]
        if not any(b":rl:" in part for part in packed if isinstance(part, bytes)):  # the rate limits' counters
            trips.append(sum(1 for part in packed if isinstance(part, bytes) and part.startswith(b"*")) or 1)
        return real_send(self, command, *args, **kwargs)

    with mock.patch.object(AbstractConnection, "send_packed_command", spy):
        yield trips


@committed
def test_a_list_miss_with_a_new_filter_is_three_redis_round_trips(api_client, redis_round_trips):
    """MGET (version, page, count); SET NX the two locks + GET both again; SET both + DEL the locks."""
    make_product(sku="A", category="Tools")
    api_client.get(PRODUCTS_URL)  # the namespace's version exists
    redis_round_trips.clear()
    assert _counted(api_client, {"category": "tools"}) == (1, 1)
    assert len(redis_round_trips) == 3, redis_round_trips
    redis_round_trips.clear()
    assert _counted(api_client, {"category": "tools", "page_size": 1}) == (1, 0)  # a new page, the count read
    assert len(redis_round_trips) == 3, redis_round_trips
    redis_round_trips.clear()
    assert _counted(api_client, {"category": "tools", "page_size": 1}) == (1, 0)  # a hit
    assert len(redis_round_trips) == 1, redis_round_trips


@committed
@override_settings(LIST_COUNT_LIMIT=3)
def test_a_count_stops_at_the_limit_and_says_so(api_client):
    """Beyond LIST_COUNT_LIMIT rows `count` is the limit with `count_is_exact: false`; every page is still there."""
    for number in range(5):
        make_product(sku=f"P{number}", price=number + 1)
    with CaptureQueriesContext(connection) as queries:
        first = api_client.get(PRODUCTS_URL, {"page_size": 2, "ordering": "price"}).json()
    (count_sql,) = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert "LIMIT 4" in count_sql
    assert (first["count"], first["count_is_exact"]) == (3, False)
    assert [item["sku"] for item in first["results"]] == ["P0", "P1"]
    second = api_client.get(first["next"]).json()
    assert [item["sku"] for item in second["results"]] == ["P2", "P3"]
    third = api_client.get(second["next"]).json()  # past the count's limit, still a page
    assert ([item["sku"] for item in third["results"]], third["next"]) == (["P4"], None)
    assert third["previous"] == second["next"].replace("page=3", "page=2")
    assert api_client.get(PRODUCTS_URL, {"page_size": 2, "page": 4}).status_code == 404
    last = api_client.get(PRODUCTS_URL, {"page_size": 2, "page": "last", "ordering": "price"}).json()
    assert (last["count"], [item["sku"] for item in last["results"]]) == (5, ["P4"])
    assert "count_is_exact" not in last
    for number in (1, 3):  # the browsable API's page links (a miss: its paginator runs), before and past the limit
        query = {"page_size": 2, "page": number, "ordering": "-price"}
        page = api_client.get(PRODUCTS_URL, query, HTTP_ACCEPT="text/html")
        assert page.status_code == 200
        assert (b"P0" if number == 3 else b"P4") in page.content
        assert b'class="pagination"' in page.content


@committed
@override_settings(LIST_COUNT_LIMIT=5)
def test_a_count_at_the_limit_is_exact(api_client):
    for number in range(5):
        make_product(sku=f"P{number}")
    body = api_client.get(PRODUCTS_URL, {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert api_client.get(PRODUCTS_URL, {"page_size": 2, "page": 4}).status_code == 404
