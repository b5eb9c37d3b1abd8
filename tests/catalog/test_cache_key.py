"""The list cache key holds only what the view understands, normalised (config.api.caching).

An unknown parameter (`?n=1`, `?n=2`, ...) must not make a new entry: otherwise any client can
make every request a miss and fill the cache. A real filter still splits entries.
"""

from collections.abc import Iterator
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.filters import ProductFilter
from config.api import caching, filters

from .factories import make_product
from .helpers import PRODUCTS_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored() -> Iterator[list[str]]:
    """The keys of the list entries written (not counts, locks or versions)."""
    keys: list[str] = []
    real_store = caching._set_many_and_delete  # every value cached() stores goes through it

    def spy(entries, *args, **kwargs):
        keys.extend(key for key in entries if key.startswith("cached:") and ":list:" in key)
        return real_store(entries, *args, **kwargs)

    with mock.patch.object(caching, "_set_many_and_delete", spy):
        yield keys


def _hit(client, url: str) -> dict:
    """GET `url`, asserting it is answered from the cache (no query)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert len(queries) == 0, [query["sql"] for query in queries]
    return response.json()


def _get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_unknown_parameters_share_one_entry(api_client, stored):
    make_product()
    first = _get(api_client, f"{PRODUCTS_URL}?n=1")
    assert _hit(api_client, f"{PRODUCTS_URL}?n=2") == first
    assert _hit(api_client, f"{PRODUCTS_URL}?utm_source=x&n=3") == first
    assert _hit(api_client, PRODUCTS_URL) == first
    assert len(stored) == 1


def test_a_real_filter_still_splits_entries(api_client, stored):
    make_product(category="Tools", sku="T")
    make_product(category="Garden", sku="G")
    tools = _get(api_client, f"{PRODUCTS_URL}?category=Tools&n=1")
    garden = _get(api_client, f"{PRODUCTS_URL}?category=Garden&n=1")
    assert [item["sku"] for item in tools["results"]] == ["T"]
    assert [item["sku"] for item in garden["results"]] == ["G"]
    assert len(stored) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("in_stock=true", "in_stock=1"),
        ("in_stock=false", "in_stock=NO"),
        ("min_price=10", "min_price=10.00"),
        ("name=widget", "name=%20widget%20"),
        ("search=widget", "search=%20widget"),
        ("ordering=price,-name", "ordering=%20price%20,-name,"),
        # A later term on a field already ordered by changes nothing: one key however often it comes.
        ("ordering=price", "ordering=price,price,-price"),
        ("ordering=-name,price", "ordering=-name,price,name,-price,-name"),
        ("page_size=20", ""),
        ("page_size=0", ""),
        ("page_size=500", "page_size=100"),
        ("page=1", ""),
        ("category=", ""),
        ("search=&name=", ""),
    ],
)
def test_spellings_the_filter_reads_alike_share_one_entry(api_client, stored, first, second):
    make_product(name="Blue widget", price="12.00", stock=3)
    answer = _get(api_client, f"{PRODUCTS_URL}?{first}")
    assert _hit(api_client, f"{PRODUCTS_URL}?{second}") == answer
    assert len(stored) == 1


def test_links_carry_only_the_understood_parameters(api_client):
    for index in range(3):
        make_product(sku=f"L-{index}", category="Tools")
    answer = _get(api_client, f"{PRODUCTS_URL}?n=1&page_size=1&category=Tools&in_stock=1")
    query = parse_qs(urlsplit(answer["next"]).query)
    assert query == {"category": ["Tools"], "in_stock": ["true"], "page": ["2"], "page_size": ["1"]}
    # Another client's spelling gets the same (canonical) links from the cache.
    assert _hit(api_client, f"{PRODUCTS_URL}?in_stock=yes&category=Tools&page_size=1&n=2") == answer
    # The links work: page 2 of the same query, and its previous link is page 1.
    second = _get(api_client, answer["next"])
    assert second["previous"] is not None
    assert "n=" not in second["previous"]
    assert len(second["results"]) == 1


def test_invalid_values_are_still_400_and_not_cached(api_client, stored):
    assert api_client.get(f"{PRODUCTS_URL}?in_stock=maybe").status_code == 400
    assert api_client.get(f"{PRODUCTS_URL}?ordering=nope").status_code == 400
    assert api_client.get(f"{PRODUCTS_URL}?min_price=5&max_price=1").status_code == 400
    assert api_client.get(f"{PRODUCTS_URL}?page=junk").status_code == 404
    assert stored == []


def test_posts_list_key_ignores_unknown_parameters(user_client, user, stored):
    from tests.posts.factories import PostFactory

    PostFactory.create(author=user, text="mine")
    first = _get(user_client, "/api/v1/posts/?n=1")
    # A signed-in read looks its user up (one query); the answer itself comes from the one entry.
    assert _get(user_client, "/api/v1/posts/?n=2") == first
    assert len(stored) == 1


def test_a_hit_sends_the_stored_bytes_and_other_renderers_still_render(api_client):
    make_product(name="Blue widget")
    miss = api_client.get(PRODUCTS_URL, HTTP_ACCEPT="application/json")
    with CaptureQueriesContext(connection) as queries:
        hit = api_client.get(PRODUCTS_URL, HTTP_ACCEPT="application/json")
    assert len(queries) == 0
    assert hit.content == miss.content
    assert hit["Content-Type"] == miss["Content-Type"] == "application/json"
    assert hit["ETag"] == miss["ETag"]
    browsable = api_client.get(PRODUCTS_URL, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200
    assert b"Blue widget" in browsable.content
    assert browsable["Content-Type"].startswith("text/html")
    assert api_client.get(PRODUCTS_URL, HTTP_IF_NONE_MATCH=hit["ETag"]).status_code == 304


def test_without_a_filter_parameter_no_filterset_is_built(api_client):
    """The filterset's form is most of a hit's cost: a list without filter parameters skips it."""
    make_product()
    _get(api_client, f"{PRODUCTS_URL}?page_size=20&n=1")
    with mock.patch.object(ProductFilter, "__init__", side_effect=AssertionError("filterset built")):
        _hit(api_client, f"{PRODUCTS_URL}?page_size=20&n=2")
        _hit(api_client, f"{PRODUCTS_URL}?page_size=20&search=&ordering=")


def test_the_filter_parameters_are_the_form_fields():
    assert filters.filterset_parameters(ProductFilter) == {"name", "category", "min_price", "max_price", "in_stock"}


def test_an_empty_filter_value_still_goes_through_the_filterset(api_client):
    """`?in_stock=` names a filter parameter: the filterset reads (and drops) it, as before."""
    make_product()
    first = _get(api_client, f"{PRODUCTS_URL}?in_stock=")
    assert _hit(api_client, PRODUCTS_URL) == first
    response = api_client.get(f"{PRODUCTS_URL}?in_stock=maybe")
    assert response.status_code == 400
