"""The Redis cache backend: django-prometheus's, with `get_many` counted in its cache metrics too.

django-prometheus counts `get` only; a cached list's hit is one `get_many` (the namespace's
version and the entry in one MGET, config/api/caching.py), and must still show in the hit ratio.

A miss of config/api/caching.py's `cached()` needs two writes besides that read: take its
single-flight locks and read the entries again, then store the values and release the locks.
`add_and_get_many` and `set_many_and_delete` each do theirs in one pipelined round trip (the
commands run in order on the server, so a GET after a SET NX sees what was stored before the
lock was taken); caching.py falls back to one command each on another backend.

`count_in_window` counts a request in its rate-limit bucket in one round trip too, where
django-ratelimit's `cache.add` + `cache.incr` took two (config/api/ratelimit.py says when it is used).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django_prometheus.cache.backends.redis import RedisCache as PrometheusRedisCache
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from django_redis.cache import omit_exception
from django_redis.client.default import _main_exceptions
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

    @omit_exception(return_value=None)
    def add_and_get_many(
        self, adds: Mapping[str, Any], timeout: int, keys: Sequence[str]
    ) -> tuple[dict[str, bool], dict[str, Any]] | None:
        """One round trip: SET NX each of `adds` (expiring after `timeout` s), then GET each of `keys`.

        Which adds took, and what the keys hold (absent ones left out); None if Redis is unreachable.
        """
        client = self.client
        try:
            pipe = client.get_client(write=True).pipeline(transaction=False)
            for key, value in adds.items():
                pipe.set(client.make_key(key), client.encode(value), nx=True, ex=timeout)
            for key in keys:
                pipe.get(client.make_key(key))
            results = pipe.execute()
        except _main_exceptions as error:
            django_cache_get_fail_total.labels(backend=BACKEND_LABEL).inc(len(keys))
            raise ConnectionInterrupted(connection=None) from error
        added = {key: bool(result) for key, result in zip(adds, results, strict=False)}
        found = {
            key: client.decode(result)
            for key, result in zip(keys, results[len(adds) :], strict=True)
            if result is not None
        }
        django_cache_get_total.labels(backend=BACKEND_LABEL).inc(len(keys))
        django_cache_hits_total.labels(backend=BACKEND_LABEL).inc(len(found))
        django_cache_misses_total.labels(backend=BACKEND_LABEL).inc(len(keys) - len(found))
        return added, found

    @omit_exception(return_value=False)
    def set_many_and_delete(self, entries: Mapping[str, Any], timeout: int, delete: Sequence[str]) -> bool:
        """One round trip: SET each of `entries` (expiring after `timeout` s), then DEL the `delete` keys."""
        client = self.client
        try:
            pipe = client.get_client(write=True).pipeline(transaction=False)
            for key, value in entries.items():
                pipe.set(client.make_key(key), client.encode(value), ex=timeout)
            if delete:
                pipe.delete(*(client.make_key(key) for key in delete))
            pipe.execute()
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=None) from error
        return True

    @omit_exception(return_value=None)
    def count_in_window(self, key: str, timeout: int) -> int | None:
        """One round trip: count one more in `key`, which expires `timeout` s after its first count; the count.

        SET NX EX then INCR in one MULTI/EXEC: atomic, so no INCR ever lands on a key created
        without an expiry (a bare INCR of a key that expired in between would make a counter
        that never resets). The count is stored as a plain integer, as django-redis stores ints,
        so `get` reads it. None if Redis is unreachable.
        """
        client = self.client
        name = client.make_key(key)
        try:
            pipe = client.get_client(write=True).pipeline(transaction=True)
            pipe.set(name, 0, nx=True, ex=timeout)
            pipe.incr(name)
            _, count = pipe.execute()
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=None) from error
        return int(count)
