"""The catalog's cache: one namespace for every cached answer (lists and details), its timeout, its invalidation.

The answers are the same for everyone (the catalog is public), so one namespace holds them all and
any product write drops them all. `catalog.signals` calls `product_cache_invalidate()` on every
save and delete, whoever writes (the services, the admin's own form save, the demo seed, a shell);
`QuerySet.update()` and `bulk_create()` send no signal, so their callers
(`services.product_soft_delete_many`, the scale seed) call it themselves.
"""

from config.api.caching import bump_namespace_on_commit

PRODUCT_CACHE_NAMESPACE = "catalog"
PRODUCT_CACHE_SECONDS = 300


def product_cache_invalidate() -> None:
    """Drop every cached catalog answer once the current transaction commits (at once outside one)."""
    bump_namespace_on_commit(PRODUCT_CACHE_NAMESPACE)
