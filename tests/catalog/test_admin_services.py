"""The product admin writes through catalog.services: SKU rules, soft delete and cache invalidation as in the API."""

import pytest

from catalog.models import Product

from .factories import make_product
from .helpers import PRODUCTS_URL, listed_skus

pytestmark = pytest.mark.django_db(transaction=True)  # cache invalidation runs on commit

CHANGELIST = "/admin/catalog/product/"


def product_form(**fields: object) -> dict:
    return {"name": "Wrench", "description": "", "price": "1.00", "stock": "0", "category": "", **fields}


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


def test_deleting_a_product_there_frees_its_sku_and_invalidates_the_cache(
    staff, api_client, admin_client_api, product_payload
):
    product = make_product(sku=product_payload["sku"])
    assert listed_skus(api_client) == [product.sku]  # cached now

    assert staff.post(f"{CHANGELIST}{product.pk}/delete/", {"post": "yes"}).status_code == 302

    assert listed_skus(api_client) == []
    assert admin_client_api.post(PRODUCTS_URL, product_payload, format="json").status_code == 201
    assert listed_skus(api_client) == [product.sku]


def test_delete_selected_frees_every_sku_and_invalidates_the_cache(staff, api_client):
    products = [make_product(sku=f"BULK-{i}") for i in range(3)]
    assert len(listed_skus(api_client)) == 3
    response = staff.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [str(p.pk) for p in products[:2]], "post": "yes"},
    )
    assert response.status_code == 302
    assert listed_skus(api_client) == ["BULK-2"]
    added = staff.post(f"{CHANGELIST}add/", product_form(sku="BULK-0"))
    assert added.status_code == 302
    assert Product.objects.alive().filter(sku="BULK-0").count() == 1


def test_a_sku_taken_by_a_living_product_is_a_form_error(staff):
    make_product(sku="TAKEN")
    other = make_product(sku="MINE", name="Mine")

    added = staff.post(f"{CHANGELIST}add/", product_form(sku="TAKEN"))
    assert form_errors(added)["sku"] == ["A product with this SKU already exists."]
    changed = staff.post(f"{CHANGELIST}{other.pk}/change/", product_form(sku="TAKEN"))
    assert form_errors(changed)["sku"] == ["A product with this SKU already exists."]
    other.refresh_from_db()
    assert (other.sku, other.name) == ("MINE", "Mine")
    assert Product.objects.count() == 2


def test_the_model_rules_are_form_errors(staff):
    response = staff.post(f"{CHANGELIST}add/", product_form(sku="NEG", price="-1", stock="-3"))
    assert set(form_errors(response)) == {"price", "stock"}
    assert not Product.objects.exists()


def test_a_deleted_product_is_shown_read_only(staff):
    product = make_product()
    staff.post(f"{CHANGELIST}{product.pk}/delete/", {"post": "yes"})
    assert staff.get(f"{CHANGELIST}{product.pk}/change/").status_code == 200
    assert staff.post(f"{CHANGELIST}{product.pk}/change/", product_form(sku=product.sku)).status_code == 403


def test_a_sku_saved_at_the_same_moment_is_a_form_error_not_a_500(staff, monkeypatch):
    """The race past ensure_unique(): the database's constraint stops it (the API's 409)."""
    make_product(sku="RACE")
    monkeypatch.setattr("catalog.services.ensure_unique", lambda *args, **kwargs: None)  # the check "missed" it

    response = staff.post(f"{CHANGELIST}add/", product_form(sku="RACE"))

    assert "A change made at the same moment conflicts" in str(form_errors(response))
    assert Product.objects.filter(sku="RACE").count() == 1
