"""The Redis cache backend: django-prometheus's, with `get_many` counted in its cache metrics too.

django-prometheus counts `get` only; a cached list's hit is one `get_many` (the namespace's
version and the entry in one MGET, config/api/caching.py), and must still show in the hit ratio.
"""

from typing import Any

from django_prometheus.cache.backends.redis import RedisCache as PrometheusRedisCache
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from django_redis.cache import omit_exception
from django_redis.exceptions import ConnectionInterrupted

BACKEND_LABEL = "redis"  # django-prometheus's label for its django-redis backend


class RedisCache(PrometheusRedisCache):
    @omit_exception(return_value={})
    def get_many(self, keys: Any, version: int | None = None, client: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        try:
            found = self.client.get_many(keys, version=version, client=client)
        except ConnectionInterrupted:
            django_cache_get_fail_total.labels(backend=BACKEND_LABEL).inc(len(keys))
            raise
        django_cache_get_total.labels(backend=BACKEND_LABEL).inc(len(keys))
        django_cache_hits_total.labels(backend=BACKEND_LABEL).inc(len(found))
        django_cache_misses_total.labels(backend=BACKEND_LABEL).inc(len(keys) - len(found))
        return dict(found)
