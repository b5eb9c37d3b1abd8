"""The factory list's cache: its namespace, its timeout, its invalidation.

A factory's answer carries its counter, its nested location and (`?with_chart_data=true`) its
newest chart points, so a write to any of the three drops every cached list: `sprockets.signals`
calls `factory_cache_invalidate()` on those saves and deletes. Bulk writes send no signal: their
callers (the importer, the scale seed) call it themselves.
"""

from config.api.caching import bump_namespace_on_commit

FACTORY_CACHE_NAMESPACE = "sprockets.factories"
FACTORY_CACHE_SECONDS = 300


def factory_cache_invalidate() -> None:
    """Drop every cached factory list once the current transaction commits (at once outside one)."""
    bump_namespace_on_commit(FACTORY_CACHE_NAMESPACE)
