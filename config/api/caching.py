"""Versioned cache namespaces: invalidation after commit, single-flight misses.

Every cached value is stored with the namespace's version token it was computed under.
A write bumps the token in `transaction.on_commit`, so after the commit every process and
instance (they share Redis) finds its entries outdated and recomputes; a reader that computed
old data before the commit can only store it with the old token, which no reader accepts again.

With read replicas (config/db_router.py) a reader recomputing right after a bump could read a
replica that has not replayed the write yet, and store that stale answer with the *new* token
for the whole `timeout`. So the token records when it was made, and for REPLICA_PIN_SECONDS after
that every recomputation of the namespace reads from the primary, whoever asks; this costs no
cache round trip (the token is read anyway). Without replicas the token is a plain random one.

If the cache is unreachable (django-redis ignores and logs the errors) every read computes
from the database: slower, never wrong, never a 500. Entries also expire (`timeout`), which
bounds staleness if a bump is lost to a cache outage.

The viewsets' use of it, rendered answers with an ETag, is config/api/cached_views.py; each app's
namespaces, timeouts and invalidation functions are its own `<app>/caching.py`.
"""

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from config.db_router import primary_reads

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long one process may hold a key's "I am computing it" lock.
COMPUTE_LOCK_SECONDS = 10
# How long another reader waits for that process before computing the value itself.
PEER_WAIT_SECONDS = 2.0
PEER_POLL_SECONDS = 0.01


def _version_key(namespace: str) -> str:
    return f"ns-version:{namespace}"


def _new_version() -> str:
    """A random token; with read replicas it ends with the time it was made (`<hex>@<unix time>`)."""
    if settings.REPLICA_DATABASES:
        return f"{uuid.uuid4().hex}@{time.time():.3f}"
    return uuid.uuid4().hex


def _recently_bumped(version: str) -> bool:
    """The token was made less than REPLICA_PIN_SECONDS ago (a replica may still lag behind it)."""
    _, _, made = version.partition("@")
    try:
        return time.time() - float(made) < settings.REPLICA_PIN_SECONDS
    except ValueError:  # no time in it (replicas were off when it was made): old enough
        return False


def namespace_version(namespace: str) -> str:
    """The namespace's current version token (created on first use)."""
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        # A random token, not a counter starting at 1: if the cache loses the version but
        # still holds entries, those old entries must never match again.
        cache.add(key, _new_version(), timeout=None)
        version = cache.get(key)
        if version is None:  # the cache is down: a unique token means "no cache" for this read
            return f"nocache-{uuid.uuid4().hex}"
    return str(version)


def bump_namespace(namespace: str) -> None:
    """Invalidate every key of the namespace now."""
    cache.set(_version_key(namespace), _new_version(), timeout=None)


def bump_namespace_on_commit(namespace: str) -> None:
    """Invalidate every key of the namespace once the current transaction commits.

    Bumping before the commit would let a reader re-cache the old rows in between;
    outside a transaction the bump happens at once.
    """
    transaction.on_commit(lambda: bump_namespace(namespace))


def _reading_the_primary(compute: Callable[[], T]) -> Callable[[], T]:
    def on_primary() -> T:
        with primary_reads():
            return compute()

    return on_primary


def _entry_key(namespace: str, key: str) -> str:
    return f"cached:{namespace}:{key}"


def _for_version(stored: Any, version: str) -> Any:
    """The value of a stored `(version, value)` pair if it was computed under `version`, else None."""
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return stored[1]
    return None


def cached(
    namespace: str, key: str, compute: Callable[[], T], timeout: int, *, size: Callable[[T], int] | None = None
) -> T:
    """Get `key` of `namespace` from the cache, or compute and store it once.

    With `size`, a value whose size is over `CACHE_ENTRY_MAX_BYTES` is returned but not stored:
    one answer must not take a share of the cache that would evict hundreds of others (and
    every hit would move it over the network again); such a rare answer is computed each time.

    The entry is stored as `(version, value)` under a key without the version, so a hit is one
    round trip (MGET of the version and the entry) and a bump needs no sweep: an entry of an
    older version is a miss, and is overwritten by the next computation.

    Concurrent misses on one key are single-flight: one process computes while the others
    wait up to PEER_WAIT_SECONDS for its result. `compute` must never return None.
    """
    version_key, entry_key = _version_key(namespace), _entry_key(namespace, key)
    found = cache.get_many([version_key, entry_key])
    version = found.get(version_key)
    if version is None:
        version = namespace_version(namespace)
    else:
        version = str(version)
        value = _for_version(found.get(entry_key), version)
        if value is not None:
            return value
    if settings.REPLICA_DATABASES and _recently_bumped(version):
        compute = _reading_the_primary(compute)

    def stored() -> Any:
        return _for_version(cache.get(entry_key), version)

    lock_key = f"lock:{namespace}:{version}:{key}"
    if cache.add(lock_key, "1", timeout=COMPUTE_LOCK_SECONDS):
        try:
            # Double-check: the previous holder may have stored the value and released the
            # lock between our first read and our add().
            value = stored()
            if value is not None:
                return value
            value = compute()
            if size is None or size(value) <= settings.CACHE_ENTRY_MAX_BYTES:
                cache.set(entry_key, (version, value), timeout=timeout)
            return value
        finally:
            cache.delete(lock_key)
    deadline = time.monotonic() + PEER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(PEER_POLL_SECONDS)
        value = stored()
        if value is not None:
            return value
        if cache.get(lock_key) is None:
            # The holder is done: it stored the value just before releasing, or it failed.
            value = stored()
            if value is not None:
                return value
            break
    return compute()
