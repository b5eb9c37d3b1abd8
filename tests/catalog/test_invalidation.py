"""Every product write drops the cached catalog answers, whoever writes: catalog.signals for saves
and deletes, the bulk soft delete (no signal) by hand. These tests commit (invalidation is on commit).
"""

import io

import pytest
from django.test import Client

from catalog import demo, services
from catalog.models import Product

from .factories import make_product
from .helpers import PRODUCTS_URL, detail_url

pytestmark = pytest.mark.django_db(transaction=True)


def _count(client) -> int:
    response = client.get(PRODUCTS_URL)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_a_save_outside_the_services_invalidates(api_client):
    product = make_product(name="Before")
    assert api_client.get(detail_url(product.id)).json()["name"] == "Before"
    assert _count(api_client) == 1

    product.name = "After"
    product.save()  # a shell, a data migration: no service involved
    Product.objects.create(name="Second", price=1, sku="SECOND")

    assert api_client.get(detail_url(product.id)).json()["name"] == "After"
    assert _count(api_client) == 2


def test_a_hard_delete_invalidates(api_client):
    product = make_product()
    assert api_client.get(detail_url(product.id)).status_code == 200
    product.delete()
    assert api_client.get(detail_url(product.id)).status_code == 404
    assert _count(api_client) == 0


def test_the_bulk_soft_delete_invalidates(api_client):
    products = [make_product(sku=f"BULK-{index}") for index in range(3)]
    assert _count(api_client) == 3
    assert services.product_soft_delete_many(products=Product.objects.filter(pk__in=[p.pk for p in products[:2]])) == 2
    assert _count(api_client) == 1


def test_the_admins_bulk_delete_action_is_the_soft_delete_and_invalidates(admin_user, api_client):
    products = [make_product(sku=f"ACT-{index}") for index in range(2)]
    assert _count(api_client) == 2
    staff = Client()
    staff.force_login(admin_user)
    response = staff.post(
        "/admin/catalog/product/",
        {"action": "delete_selected", "_selected_action": [str(p.pk) for p in products], "post": "yes"},
    )
    assert response.status_code == 302, response.content
    assert _count(api_client) == 0
    assert Product.objects.count() == 2


def test_seeding_the_demo_shows_in_the_cached_list(user, admin_user, api_client):
    assert _count(api_client) == 0
    demo.seed(stdout=io.StringIO(), users={"admin": admin_user, "user": user})
    assert _count(api_client) == Product.objects.alive().count() > 0
