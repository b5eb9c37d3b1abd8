"""The Django admin for products: lists with filters and search; its writes behave like the API's."""

import pytest

from catalog.models import Product

from .factories import make_product
from .helpers import PRODUCTS_URL

pytestmark = pytest.mark.django_db(transaction=True)  # cache invalidation runs on commit


def test_changelist_with_search_and_filters(staff):
    make_product(name="Findable", category="Tools")
    response = staff.get("/admin/catalog/product/", {"q": "findable", "category": "Tools"})
    assert response.status_code == 200
    assert b"Findable" in response.content
    assert staff.get("/admin/catalog/product/", {"deleted_at__isempty": "1"}).status_code == 200


def test_admin_change_invalidates_the_api_cache(staff, api_client):
    product = make_product(name="Before", sku="ADM-1")
    assert api_client.get(PRODUCTS_URL).json()["results"][0]["name"] == "Before"
    response = staff.post(
        f"/admin/catalog/product/{product.id}/change/",
        {"name": "After", "description": "", "price": "1.00", "stock": "0", "category": "", "sku": "ADM-1"},
    )
    assert response.status_code == 302, response.content
    assert api_client.get(PRODUCTS_URL).json()["results"][0]["name"] == "After"


def test_admin_delete_is_the_soft_delete(staff, api_client):
    product = make_product()
    assert api_client.get(PRODUCTS_URL).json()["count"] == 1
    response = staff.post(f"/admin/catalog/product/{product.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert api_client.get(PRODUCTS_URL).json()["count"] == 0
    assert Product.objects.count() == 1


def test_admin_delete_of_an_already_deleted_product_keeps_its_deletion_time(staff):
    """Staff see deleted products too; deleting one again is a no-op, not a 404 page."""
    product = make_product()
    staff.post(f"/admin/catalog/product/{product.id}/delete/", {"post": "yes"})
    product.refresh_from_db()
    deleted_at = product.deleted_at

    response = staff.post(f"/admin/catalog/product/{product.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.deleted_at == deleted_at
