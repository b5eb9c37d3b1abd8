"""`/products/` filters, search and ordering: one test per parameter (NetBox filterset-test style)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product
from tests.helpers import assert_error_shape

from .factories import make_product
from .helpers import PRODUCTS_URL, listed_skus

pytestmark = pytest.mark.django_db


@pytest.fixture
def products() -> list[Product]:
    """Four products with distinct names, prices, stocks, categories and creation times."""
    specs = [
        # sku, name, price, stock, category, description
        ("A-1", "Blue widget", "0.00", 0, "Tools", "a free sample"),
        ("B-2", "Red gadget", "9.99", 3, "tools", "shiny and red"),
        ("C-3", "Green widget", "10.00", 50, "Garden", "for the garden"),
        ("D-4", "Yellow thing", "250.50", 1, "", "bright"),
    ]
    created = []
    start = timezone.now() - timedelta(days=1)
    for offset, (sku, name, price, stock, category, description) in enumerate(specs):
        product = make_product(
            sku=sku, name=name, price=Decimal(price), stock=stock, category=category, description=description
        )
        # Distinct, known creation times: A oldest ... D newest.
        Product.objects.filter(pk=product.pk).update(created_at=start + timedelta(minutes=offset))
        created.append(product)
    return created


# --- filters ---------------------------------------------------------------------------------
def test_filter_name_is_case_insensitive_substring(api_client, products):
    assert sorted(listed_skus(api_client, name="WIDGET")) == ["A-1", "C-3"]


def test_filter_category_is_exact_and_case_insensitive(api_client, products):
    assert sorted(listed_skus(api_client, category="TOOLS")) == ["A-1", "B-2"]
    assert listed_skus(api_client, category="Tool") == []  # exact, not a substring


def test_filter_min_price_is_inclusive(api_client, products):
    assert sorted(listed_skus(api_client, min_price="10.00")) == ["C-3", "D-4"]


def test_filter_max_price_is_inclusive(api_client, products):
    assert sorted(listed_skus(api_client, max_price="9.99")) == ["A-1", "B-2"]


def test_filter_max_price_zero_is_applied(api_client, products):
    assert listed_skus(api_client, max_price="0") == ["A-1"]


def test_filter_min_and_max_price_together(api_client, products):
    assert sorted(listed_skus(api_client, min_price="9.99", max_price="10")) == ["B-2", "C-3"]


def test_filter_min_price_above_max_price_is_400_naming_the_field(api_client, products):
    response = api_client.get(PRODUCTS_URL, {"min_price": "20", "max_price": "10"})
    assert_error_shape(response, 400, attr="min_price")


@pytest.mark.parametrize("param", ["min_price", "max_price"])
@pytest.mark.parametrize("junk", ["abc", "NaN", "Infinity", "1,5"])
def test_filter_non_numeric_price_is_400(api_client, products, param, junk):
    assert_error_shape(api_client.get(PRODUCTS_URL, {param: junk}), 400, attr=param)


def test_filter_price_bounds_far_outside_the_range_are_applied(api_client, products):
    assert listed_skus(api_client, min_price="1e40") == []
    assert listed_skus(api_client, max_price="-1e40") == []
    assert len(listed_skus(api_client, min_price="-1e40", max_price="1e40")) == 4
    assert_error_shape(api_client.get(PRODUCTS_URL, {"min_price": "1e400"}), 400, attr="min_price")


def test_filter_in_stock_true(api_client, products):
    assert sorted(listed_skus(api_client, in_stock="true")) == ["B-2", "C-3", "D-4"]


def test_filter_in_stock_false_is_applied(api_client, products):
    assert listed_skus(api_client, in_stock="false") == ["A-1"]


def test_filter_in_stock_junk_is_400(api_client, products):
    assert_error_shape(api_client.get(PRODUCTS_URL, {"in_stock": "maybe"}), 400, attr="in_stock")


def test_filter_name_treats_percent_and_underscore_literally(api_client, db):
    make_product(sku="P", name="100% cotton")
    make_product(sku="Q", name="100 cotton")
    make_product(sku="U", name="snake_case")
    make_product(sku="V", name="snakeXcase")
    assert listed_skus(api_client, name="100%") == ["P"]
    assert listed_skus(api_client, name="e_c") == ["U"]


# --- search ----------------------------------------------------------------------------------
def test_search_matches_name(api_client, products):
    assert listed_skus(api_client, search="gadget") == ["B-2"]


def test_search_matches_description(api_client, products):
    assert listed_skus(api_client, search="GARDEN") == ["C-3"]


def test_search_matches_sku(api_client, products):
    assert listed_skus(api_client, search="d-4") == ["D-4"]


def test_search_treats_percent_and_underscore_literally(api_client, db):
    make_product(sku="P", name="plain", description="50% off")
    make_product(sku="Q", name="plain", description="50 off")
    make_product(sku="SKU_1", name="plain")
    make_product(sku="SKUX1", name="plain")
    assert listed_skus(api_client, search="50%") == ["P"]
    assert listed_skus(api_client, search="sku_") == ["SKU_1"]


def test_search_combines_with_filters(api_client, products):
    assert listed_skus(api_client, search="widget", in_stock="true") == ["C-3"]


# --- ordering --------------------------------------------------------------------------------
def test_default_ordering_is_newest_first(api_client, products):
    assert listed_skus(api_client) == ["D-4", "C-3", "B-2", "A-1"]


@pytest.mark.parametrize(
    ("field", "ascending"),
    [
        ("name", ["A-1", "C-3", "B-2", "D-4"]),
        ("price", ["A-1", "B-2", "C-3", "D-4"]),
        ("created_at", ["A-1", "B-2", "C-3", "D-4"]),
        ("stock", ["A-1", "D-4", "B-2", "C-3"]),
    ],
)
def test_ordering_by(api_client, products, field, ascending):
    assert listed_skus(api_client, ordering=field) == ascending
    assert listed_skus(api_client, ordering=f"-{field}") == ascending[::-1]


def test_ordering_ties_are_broken_by_id(api_client, db):
    same = [make_product(price=Decimal("5.00")) for _ in range(4)]
    expected = sorted(str(product.id) for product in same)
    assert [item["id"] for item in _results(api_client, ordering="price")] == expected
    assert [item["id"] for item in _results(api_client, ordering="-price")] == expected[::-1]


def test_ordering_by_unknown_field_is_400_naming_the_allowed_ones(api_client, products):
    response = api_client.get(PRODUCTS_URL, {"ordering": "sku"})
    assert_error_shape(response, 400, attr="ordering")
    detail = response.json()["errors"][0]["detail"]
    for field in ("name", "price", "created_at", "stock"):
        assert field in detail


@pytest.mark.parametrize("ordering", ["--price", "-", ",", "price,--name", "+price"])
def test_malformed_ordering_is_400_not_500(api_client, products, ordering):
    # "--price" once passed the check (both dashes stripped) and reached order_by(): a 500.
    response = api_client.get(PRODUCTS_URL, {"ordering": ordering})
    assert_error_shape(response, 400, attr="ordering")


def _results(client, **params):
    response = client.get(PRODUCTS_URL, params)
    assert response.status_code == 200
    return response.json()["results"]
