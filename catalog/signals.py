"""Cache invalidation for the catalog: any product write drops every cached catalog answer.

On signals rather than in the services so that every write path invalidates: the services, the
admin's own form save, the demo seed, a shell. `QuerySet.update()` and `bulk_create()` send no
signal, so their callers (`services.product_soft_delete_many`, the load-test seed) call
`product_cache_invalidate()`, the function the receivers use.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.api.caching import bump_namespace_on_commit

from .models import Product
from .selectors import PRODUCT_CACHE_NAMESPACE


def product_cache_invalidate() -> None:
    """Drop every cached catalog answer once the current transaction commits (at once outside one)."""
    bump_namespace_on_commit(PRODUCT_CACHE_NAMESPACE)


@receiver(post_save, sender=Product, dispatch_uid="catalog_cache_on_save")
@receiver(post_delete, sender=Product, dispatch_uid="catalog_cache_on_delete")
def invalidate_catalog_cache(sender: type[Product], instance: Product, **kwargs: Any) -> None:
    product_cache_invalidate()
