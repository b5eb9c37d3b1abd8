"""config.redis_cache.RedisCache: django-prometheus's cache metrics count get_many too."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)

from config.redis_cache import BACKEND_LABEL, RedisCache
from tests.catalog.test_caching import CLOSED_PORT_REDIS

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the Redis backend)")


def _counts() -> tuple[float, float, float, float]:
    metrics = (django_cache_get_total, django_cache_hits_total, django_cache_misses_total, django_cache_get_fail_total)
    return tuple(metric.labels(backend=BACKEND_LABEL)._value.get() for metric in metrics)  # type: ignore[return-value]


def _backend(location: str) -> RedisCache:
    options = {**settings.CACHES["default"], "LOCATION": location, "KEY_PREFIX": "test-cache-backends"}
    return RedisCache(location, {key: value for key, value in options.items() if key not in ("BACKEND", "LOCATION")})


def test_get_many_counts_each_key_as_a_get_a_hit_or_a_miss():
    backend = _backend(settings.REDIS_URL)
    backend.set("present", 1, timeout=60)
    before = _counts()
    assert backend.get_many(["present", "absent"]) == {"present": 1}
    gets, hits, misses, fails = (after - was for after, was in zip(_counts(), before, strict=True))
    assert (gets, hits, misses, fails) == (2, 1, 1, 0)
    assert caches["default"].get_many([]) == {}


def test_an_unreachable_redis_is_counted_as_failed_gets_and_answers_nothing():
    backend = _backend(CLOSED_PORT_REDIS)
    backend._ignore_exceptions = True
    before = _counts()
    assert backend.get_many(["a", "b"]) == {}
    assert _counts()[3] - before[3] == 2
