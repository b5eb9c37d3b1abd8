"""Writes of the catalog. Each is atomic and validates before saving.

Saving a product invalidates the cached answers through catalog.signals (after the commit); only
the bulk soft delete, which sends no signal, calls the invalidation itself.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.api.services import assign_fields, ensure_unique, lock_for_update, validate_and_save

from .caching import product_cache_invalidate
from .models import Product

PRODUCT_EDITABLE_FIELDS = ("name", "description", "price", "stock", "category", "sku")


def _save_product(product: Product) -> Product:
    """The SKU must be free among living products (a 400 on `sku`), then the model's rules apply.

    A concurrent insert of the same SKU that slips past the check is stopped by the constraint (409).
    """
    ensure_unique(product, among=Product.objects.alive(), messages={"sku": "A product with this SKU already exists."})
    return validate_and_save(product)


@transaction.atomic
def product_create(
    *, name: str, price: Decimal, sku: str, description: str = "", stock: int = 0, category: str = ""
) -> Product:
    product = Product(name=name, price=price, sku=sku, description=description, stock=stock, category=category)
    return _save_product(product)


@transaction.atomic
def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    """Apply the given fields (PUT passes every field, PATCH only the changed ones)."""
    # Lock the row: two concurrent PATCHes of different fields must not overwrite each other.
    product = lock_for_update(Product.objects.alive(), product.pk)
    assign_fields(product, data, PRODUCT_EDITABLE_FIELDS)
    return _save_product(product)


@transaction.atomic
def product_soft_delete(*, product: Product) -> None:
    """The product disappears from every read; its SKU is free for a new product.

    Already deleted (by a concurrent request) is a 404, as it is to a DELETE sent afterwards.
    """
    product = lock_for_update(Product.objects.alive(), product.pk)
    product_soft_delete_many(products=Product.objects.filter(pk=product.pk))


@transaction.atomic
def product_soft_delete_many(*, products: QuerySet[Product]) -> int:
    """Soft-delete the living products among `products` in one statement; returns how many."""
    now = timezone.now()
    deleted = products.filter(deleted_at__isnull=True).update(deleted_at=now, updated_at=now)
    if deleted:
        # update() sends no post_save: invalidate as catalog.signals' receivers do for every save.
        product_cache_invalidate()
    return deleted
