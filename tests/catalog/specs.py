"""The test spec of the catalog's route (tests/specs.py): products, public reads and admin writes."""

from typing import Any

from catalog import services
from catalog.models import Product
from tests.catalog.factories import ProductFactory
from tests.specs import PUBLIC_READ_ADMIN_WRITE, ResourceSpec


def _soft_deleted(obj: Any) -> bool:
    return Product._base_manager.get(pk=obj.pk).deleted_at is not None


SPECS = [
    ResourceSpec(
        "product",
        make=lambda owner: ProductFactory.create(),
        access=PUBLIC_READ_ADMIN_WRITE,
        create_body=lambda caller: {"name": "Anvil", "price": "99.00", "stock": 3, "sku": "SEC-ANVIL"},
        update_body=lambda obj: {"price": "0.01"},
        update_service=services.product_update,
        delete_service=services.product_soft_delete,
        is_deleted=_soft_deleted,
    ),
]
