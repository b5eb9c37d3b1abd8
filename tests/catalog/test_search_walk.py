"""A search's page read from the list's first rows (config/api/search.py) is the plain query's, byte for byte.

Every ordering, both directions, dense and rare phrases, several pages and sizes, with ties in
every sort field and deleted rows: the answer with the walk (small enough to be filled and to
fall short) equals the answer without it, and the walk is actually taken where it can be.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Product
from config.api import search
from tests.helpers import is_postgres

from .helpers import PRODUCTS_URL

pytestmark = pytest.mark.django_db

ORDERINGS = ["", "created_at", "-created_at", "name", "-name", "price", "-price", "stock", "-stock", "name,price"]
PHRASES = ["widget", "Rare", "a", "nothing-matches", "2"]


@pytest.fixture
def seeded() -> None:
    """120 products: "widget" in one of 3, "rare" in one of 40 (in the name, description or SKU), ties everywhere."""
    start = timezone.now() - timedelta(days=1)
    products = []
    for n in range(120):
        name = f"{'Widget' if n % 3 == 0 else 'Gadget'} {n % 7}"
        description = "a rare find" if n % 40 == 5 else ""
        sku = f"RARE-{n}" if n % 40 == 25 else f"SKU-{n:04d}"
        products.append(
            Product(
                name=name,
                description=description,
                sku=sku,
                price=Decimal(n % 5),
                stock=n % 4,
                category="General",
                created_at=start + timedelta(minutes=n // 3),  # three rows a minute: ties broken by id
            )
        )
    Product.objects.bulk_create(products)
    # Deleted rows are never listed, walk or not.
    Product.objects.filter(pk__in=[p.pk for p in products[::11]]).update(deleted_at=timezone.now())


def answer(client: Any, **params: Any) -> tuple[int, bytes]:
    """Status and body (a page past the end is a 404 either way)."""
    cache.clear()  # every request computed, not the previous one's stored answer
    response = client.get(PRODUCTS_URL, params)
    return response.status_code, response.content


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("walk_rows", [10, 40, search.WALK_ROWS])
def test_every_search_page_equals_the_plain_query(api_client, monkeypatch, walk_rows):
    walked: list[bool] = []
    real_walk = search.WalkFirstQuerySet._walk

    def spy(self: Any) -> Any:
        rows = real_walk(self)
        walked.append(rows is not None)
        return rows

    cases = [
        {"search": phrase, "ordering": ordering, "page_size": size, "page": page}
        for phrase in PHRASES
        for ordering in ORDERINGS
        for size, page in [(5, 1), (5, 2), (3, 4), (20, 1)]
    ]
    cases += [{"search": "widget", "min_price": "2", "in_stock": "true", "page_size": 4, "page": 2}]
    monkeypatch.setattr(search, "WALK_ROWS", 0)  # never walks: the plain query
    expected = [answer(api_client, **params) for params in cases]

    monkeypatch.setattr(search, "WALK_ROWS", walk_rows)
    monkeypatch.setattr(search.WalkFirstQuerySet, "_walk", spy)
    for params, plain in zip(cases, expected, strict=True):
        assert answer(api_client, **params) == plain, params
    # The walk filled some pages and fell back on others (so both paths were compared).
    assert True in walked
    if walk_rows < search.WALK_ROWS:
        assert False in walked


@pytest.mark.usefixtures("seeded")
def test_a_page_beyond_the_count_limit_equals_the_plain_query(api_client, monkeypatch, settings):
    """Past LIST_COUNT_LIMIT a page is read with one row more (`count_is_exact: false`): the same rows either way."""
    settings.LIST_COUNT_LIMIT = 3
    params = {"search": "widget", "page_size": 2, "page": 3}
    monkeypatch.setattr(search, "WALK_ROWS", 0)
    plain = answer(api_client, **params)
    monkeypatch.setattr(search, "WALK_ROWS", 30)
    assert answer(api_client, **params) == plain
    assert b'"count_is_exact":false' in plain[1]


@pytest.mark.usefixtures("seeded")
def test_the_walk_is_one_query_over_the_first_rows(api_client, django_assert_max_num_queries):
    """A dense phrase's first page: the count and the walk, no fallback query."""
    with django_assert_max_num_queries(2) as context:
        answer(api_client, search="widget", page_size=5)
    sql = [query["sql"] for query in context.captured_queries]
    assert any(f"LIMIT {search.WALK_ROWS}" in text for text in sql), sql
    if is_postgres():
        assert all("catalog_product" in text for text in sql)
