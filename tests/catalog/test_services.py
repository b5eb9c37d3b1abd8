"""catalog.services called directly (the admin, the demo seed and the shell do): typed keyword-only creates."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Product

from .factories import make_product

pytestmark = pytest.mark.django_db


def test_create_gives_the_optional_fields_their_defaults():
    product = services.product_create(name="Plain", price=Decimal("2.50"), sku="PLAIN")
    product.refresh_from_db()
    assert (product.description, product.stock, product.category) == ("", 0, "")


def test_create_takes_keywords_only_and_no_unknown_field():
    with pytest.raises(TypeError):
        services.product_create("Plain", Decimal("1"), "PLAIN")  # type: ignore[misc]
    with pytest.raises(TypeError):
        services.product_create(name="Plain", price=Decimal("1"), sku="PLAIN", colour="red")  # type: ignore[call-arg]
    assert not Product.objects.exists()


def test_a_sku_is_unique_among_living_products_only():
    taken = make_product(sku="DUP")
    with pytest.raises(ValidationError) as error:
        services.product_create(name="Second", price=Decimal("1"), sku="DUP")
    assert error.value.message_dict == {"sku": ["A product with this SKU already exists."]}
    services.product_soft_delete(product=taken)
    assert services.product_create(name="Second", price=Decimal("1"), sku="DUP").sku == "DUP"


def test_update_keeps_its_own_sku_and_refuses_anothers():
    make_product(sku="OTHER")
    product = make_product(sku="MINE")
    assert services.product_update(product=product, data={"sku": "MINE", "name": "Renamed"}).name == "Renamed"
    with pytest.raises(ValidationError):
        services.product_update(product=product, data={"sku": "OTHER"})
