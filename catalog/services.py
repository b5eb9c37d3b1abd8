"""Writes of the catalog. Each is atomic and validates before saving.

Saving a product invalidates the cached answers through catalog.signals (after the commit); only
the bulk soft delete, which sends no signal, calls the invalidation itself.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.api.exceptions import field_errors
from config.api.services import assign_fields, lock_for_update

from .models import Product
from .signals import product_cache_invalidate

PRODUCT_EDITABLE_FIELDS = ("name", "description", "price", "stock", "category", "sku")


def _check_sku_free(*, product: Product) -> None:
    """A SKU taken by a living product is a 400 on `sku`; a concurrent race is left to the constraint (409)."""
    clash = Product.objects.alive().filter(sku=product.sku).exclude(pk=product.pk)
    if clash.exists():
        raise field_errors("unique", sku="A product with this SKU already exists.")


def _validate_and_save(product: Product) -> Product:
    _check_sku_free(product=product)
    # The conditional unique constraint is checked above (and by the database); full_clean's own
    # constraint check would repeat the query.
    product.full_clean(validate_constraints=False)
    product.save()
    return product


@transaction.atomic
def product_create(*, name: str, price: Any, sku: str, **fields: Any) -> Product:
    extra = {key: value for key, value in fields.items() if key in PRODUCT_EDITABLE_FIELDS}
    return _validate_and_save(Product(name=name, price=price, sku=sku, **extra))


@transaction.atomic
def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    """Apply the given fields (PUT passes every field, PATCH only the changed ones)."""
    # Lock the row: two concurrent PATCHes of different fields must not overwrite each other.
    product = lock_for_update(Product.objects.alive(), product.pk)
    assign_fields(product, data, PRODUCT_EDITABLE_FIELDS)
    return _validate_and_save(product)


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
