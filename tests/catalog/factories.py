from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from catalog.models import Product


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    description = ""
    price = Decimal("10.00")
    stock = 5
    category = "General"
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")


def make_product(**fields: Any) -> Product:
    """`ProductFactory(...)`, typed as the model it saves."""
    return ProductFactory.create(**fields)
