"""`/products/`: CRUD, roles, pagination, SKU uniqueness, soft delete, decimal strings, PUT replacement."""

import threading
from decimal import Decimal

import pytest
from django.db import transaction

from catalog import services
from catalog.models import Product
from tests.concurrency import in_background
from tests.helpers import assert_error_shape

from .factories import make_product
from .helpers import PRODUCTS_URL, detail_url, listed

pytestmark = pytest.mark.django_db


# --- roles -----------------------------------------------------------------------------------
def test_anonymous_can_list_and_read(api_client):
    product = make_product()
    assert api_client.get(PRODUCTS_URL).status_code == 200
    assert api_client.get(detail_url(product.id)).json()["sku"] == product.sku


def test_list_and_detail_answer_without_trailing_slash(api_client):
    product = make_product()
    assert api_client.get("/api/v1/products").status_code == 200
    assert api_client.get(f"/api/v1/products/{product.id}").status_code == 200


@pytest.mark.parametrize(("caller", "status"), [("api_client", 401), ("user_client", 403)], ids=["anonymous", "user"])
def test_only_an_admin_writes(request, product_payload, caller, status):
    client = request.getfixturevalue(caller)
    product = make_product()
    assert_error_shape(client.post(PRODUCTS_URL, product_payload), status)
    assert_error_shape(client.put(detail_url(product.id), product_payload), status)
    assert_error_shape(client.patch(detail_url(product.id), {"name": "x"}), status)
    assert_error_shape(client.delete(detail_url(product.id)), status)
    assert Product.objects.alive().count() == 1
    assert client.get(detail_url(product.id)).status_code == 200


def test_admin_creates_a_product(admin_client_api, product_payload):
    response = admin_client_api.post(PRODUCTS_URL, product_payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "name", "description", "price", "stock", "category", "sku", "created_at", "updated_at"}
    assert body["price"] == "89.90"
    product = Product.objects.get(pk=body["id"])
    assert product.price == Decimal("89.90")
    assert product.sku == "TW-001"


def test_create_applies_defaults_for_optional_fields(admin_client_api):
    response = admin_client_api.post(PRODUCTS_URL, {"name": "Bare", "price": "1", "sku": "BARE"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["description"], body["category"], body["stock"], body["price"]) == ("", "", 0, "1.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 256),
        ("name", None),
        ("price", "-0.01"),
        ("price", "1.234"),
        ("price", "100000000.00"),
        ("price", "abc"),
        ("price", None),
        ("stock", -1),
        ("stock", 2**31),
        ("stock", None),
        ("category", "c" * 101),
        ("sku", ""),
        ("sku", "s" * 51),
        ("description", None),
    ],
)
def test_invalid_field_is_400_naming_it(admin_client_api, product_payload, field, value):
    response = admin_client_api.post(PRODUCTS_URL, {**product_payload, field: value})
    assert_error_shape(response, 400, attr=field)
    assert not Product.objects.exists()


@pytest.mark.parametrize("field", ["name", "price", "sku"])
def test_required_field_missing_is_400(admin_client_api, product_payload, field):
    payload = {key: value for key, value in product_payload.items() if key != field}
    assert_error_shape(admin_client_api.post(PRODUCTS_URL, payload), 400, attr=field)


def test_boundary_values_are_accepted(admin_client_api):
    payload = {"name": "n" * 255, "price": "99999999.99", "stock": 2**31 - 1, "category": "c" * 100, "sku": "s" * 50}
    response = admin_client_api.post(PRODUCTS_URL, payload)
    assert response.status_code == 201, response.content
    assert response.json()["price"] == "99999999.99"


# --- decimals as strings ---------------------------------------------------------------------
def test_price_is_a_string_in_list_and_detail(api_client):
    product = make_product(price=Decimal("49.9"))
    assert listed(api_client)[0]["price"] == "49.90"
    assert api_client.get(detail_url(product.id)).json()["price"] == "49.90"


@pytest.mark.parametrize("price", ["-0", "-0.00", -0.0])
def test_negative_zero_price_is_zero(admin_client_api, api_client, price):
    # "-0" passes "price >= 0"; the answer must not say "-0.00" (the database has no negative zero,
    # so the create answer and later reads would disagree).
    response = admin_client_api.patch(detail_url(make_product().id), {"price": price}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "0.00"
    payload = {"name": "Free", "price": price, "sku": "FREE-1"}
    created = admin_client_api.post(PRODUCTS_URL, payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["price"] == "0.00"
    assert api_client.get(detail_url(created.json()["id"])).json()["price"] == "0.00"


# --- updates ---------------------------------------------------------------------------------
def test_patch_changes_only_given_fields(admin_client_api):
    product = make_product(description="keep me", stock=9)
    response = admin_client_api.patch(detail_url(product.id), {"price": "12.50"})
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "12.50"
    product.refresh_from_db()
    assert (product.price, product.description, product.stock) == (Decimal("12.50"), "keep me", 9)


def test_put_resets_omitted_optional_fields(admin_client_api):
    product = make_product(description="old text", category="Tools", stock=9)
    response = admin_client_api.put(detail_url(product.id), {"name": "Renamed", "price": "3.00", "sku": product.sku})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["description"], body["category"], body["stock"]) == ("Renamed", "", "", 0)
    product.refresh_from_db()
    assert (product.description, product.category, product.stock) == ("", "", 0)


def test_put_requires_the_required_fields(admin_client_api):
    product = make_product()
    assert_error_shape(admin_client_api.put(detail_url(product.id), {"name": "only"}), 400, attr="price")


def test_unknown_product_is_404(api_client, admin_client_api):
    missing = "00000000-0000-0000-0000-000000000000"
    assert_error_shape(api_client.get(detail_url(missing)), 404)
    assert_error_shape(api_client.get(detail_url("not-a-uuid")), 404)
    assert_error_shape(admin_client_api.patch(detail_url(missing), {"name": "x"}), 404)


# --- SKU uniqueness and soft delete ----------------------------------------------------------
def test_duplicate_sku_is_400_on_sku(admin_client_api, product_payload):
    make_product(sku=product_payload["sku"])
    assert_error_shape(admin_client_api.post(PRODUCTS_URL, product_payload), 400, attr="sku", code="unique")


def test_changing_sku_to_a_taken_one_is_400(admin_client_api):
    make_product(sku="TAKEN")
    product = make_product(sku="MINE")
    assert_error_shape(admin_client_api.patch(detail_url(product.id), {"sku": "TAKEN"}), 400, attr="sku")


def test_delete_is_soft_and_hides_the_product(admin_client_api, api_client):
    product = make_product()
    assert admin_client_api.delete(detail_url(product.id)).status_code == 204
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert_error_shape(api_client.get(detail_url(product.id)), 404)
    assert listed(api_client) == []
    assert_error_shape(admin_client_api.delete(detail_url(product.id)), 404)
    assert_error_shape(admin_client_api.patch(detail_url(product.id), {"name": "x"}), 404)


def test_sku_of_a_deleted_product_can_be_reused(admin_client_api, product_payload):
    old = make_product(sku=product_payload["sku"])
    assert admin_client_api.delete(detail_url(old.id)).status_code == 204
    response = admin_client_api.post(PRODUCTS_URL, product_payload)
    assert response.status_code == 201, response.content
    assert Product.objects.filter(sku=product_payload["sku"]).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duplicate_sku_race_is_409_not_500(admin_client_api, product_payload):
    """The SKU check passes for both writers; the database constraint stops the second one."""
    inserted, release = threading.Event(), threading.Event()

    def first_writer() -> None:
        with transaction.atomic():
            services.product_create(name="First", price=Decimal("1.00"), sku=product_payload["sku"])
            inserted.set()
            release.wait(10)  # commit only once the second writer is waiting on the unique index

    with in_background(first_writer, timeout=10):
        assert inserted.wait(10)
        threading.Timer(1.0, release.set).start()
        response = admin_client_api.post(PRODUCTS_URL, product_payload)
    assert_error_shape(response, 409, code="conflict")
    assert list(Product.objects.alive().values_list("name", flat=True)) == ["First"]


# --- pagination ------------------------------------------------------------------------------
@pytest.fixture
def many_products(db) -> None:
    Product.objects.bulk_create([Product(name=f"P{i}", price=Decimal("1.00"), sku=f"BULK-{i:04d}") for i in range(105)])


@pytest.mark.parametrize(("page_size", "expected"), [("0", 20), ("-1", 20), ("1000", 100), ("7", 7)])
def test_page_size_bounds(api_client, many_products, page_size, expected):
    response = api_client.get(PRODUCTS_URL, {"page_size": page_size})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 105
    assert len(body["results"]) == expected


def test_default_page_and_links(api_client, many_products):
    body = api_client.get(PRODUCTS_URL, {"page": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 20
    assert body["next"].startswith("http://testserver/api/v1/products/?")
    assert "page=3" in body["next"]
    assert body["previous"] == "http://testserver/api/v1/products/"


def test_last_page_has_no_next(api_client, many_products):
    body = api_client.get(PRODUCTS_URL, {"page": 6}).json()
    assert len(body["results"]) == 5
    assert body["next"] is None


def test_page_past_the_end_is_404(api_client, many_products):
    assert_error_shape(api_client.get(PRODUCTS_URL, {"page": 7}), 404)
