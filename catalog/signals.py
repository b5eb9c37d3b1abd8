"""Cache invalidation for the catalog: any product save or delete drops every cached catalog answer.

On signals rather than in the services so that every write path invalidates: the services, the
admin's own form save, the demo seed, a shell. The namespace and `product_cache_invalidate()` are
`catalog.caching`'s; bulk writes, which send no signal, call that function themselves.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .caching import product_cache_invalidate
from .models import Product


@receiver(post_save, sender=Product, dispatch_uid="catalog_cache_on_save")
@receiver(post_delete, sender=Product, dispatch_uid="catalog_cache_on_delete")
def invalidate_catalog_cache(sender: type[Product], instance: Product, **kwargs: Any) -> None:
    product_cache_invalidate()
