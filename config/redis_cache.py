"""The Redis cache backend: django-prometheus's, with `get_many` counted in its cache metrics too.

django-prometheus counts `get` only; a cached list's hit is one `get_many` (the namespace's
version and the entry in one MGET, config/api/caching.py), and must still show in the hit ratio.

A miss of config/api/caching.py's `cached()` needs two writes besides that read: take its
single-flight locks and read the entries again, then store the values and release the locks.
`add_and_get_many` and `set_many_and_delete` each do theirs in one pipelined round trip (the
commands run in order on the server, so a GET after a SET NX sees what was stored before the
lock was taken); caching.py falls back to one command each on another backend.

`count_in_window` counts a request in its rate-limit bucket in one round trip too (one Lua
script), where django-ratelimit's `cache.add` + `cache.incr` took two (config/api/ratelimit.py).
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

# SET NX EX then INCR, atomic as a script is: no INCR ever lands on a key that expired just
# before it (that key would be a counter without an expiry, never reset). One command: a
# MULTI/EXEC pipeline of the two was one round trip too, but 100 µs of CPU against this 77.
_COUNT_IN_WINDOW = """
redis.call('SET', KEYS[1], 0, 'NX', 'EX', ARGV[1])
return redis.call('INCR', KEYS[1])
"""


class RedisCache(PrometheusRedisCache):
    _count_script: Any = None  # `_COUNT_IN_WINDOW`, registered on first use

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

        None if Redis is unreachable. The count is a plain integer, as django-redis stores ints,
        so `get` reads it.
        """
        client = self.client
        try:
            redis_client = client.get_client(write=True)
            if self._count_script is None:
                self._count_script = redis_client.register_script(_COUNT_IN_WINDOW)
            # redis-py's Script sends EVALSHA, and loads the script again if Redis lost it (a restart).
            count = self._count_script(keys=[client.make_key(key)], args=[timeout], client=redis_client)
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=None) from error
        return int(count)
