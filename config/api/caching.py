"""Versioned cache namespaces: invalidation after commit, single-flight misses.

Every cached value lives under a key that includes its namespace's current version token.
A write bumps the token in `transaction.on_commit`, so after the commit every process and
instance (they share Redis) reads under the new token and recomputes; a reader that computed
old data before the commit can only store it under the old token, which nobody reads again.

If the cache is unreachable (django-redis ignores and logs the errors) every read computes
from the database: slower, never wrong, never a 500. Entries also expire (`timeout`), which
bounds staleness if a bump is lost to a cache outage.
"""

import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long one process may hold a key's "I am computing it" lock.
COMPUTE_LOCK_SECONDS = 10
# How long another reader waits for that process before computing the value itself.
PEER_WAIT_SECONDS = 2.0
PEER_POLL_SECONDS = 0.01


def _version_key(namespace: str) -> str:
    return f"ns-version:{namespace}"


def namespace_version(namespace: str) -> str:
    """The namespace's current version token (created on first use)."""
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        # A random token, not a counter starting at 1: if the cache loses the version but
        # still holds entries, those old entries must never match again.
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
        if version is None:  # the cache is down: a unique token means "no cache" for this read
            return f"nocache-{uuid.uuid4().hex}"
    return str(version)


def bump_namespace(namespace: str) -> None:
    """Invalidate every key of the namespace now."""
    cache.set(_version_key(namespace), uuid.uuid4().hex, timeout=None)


def bump_namespace_on_commit(namespace: str) -> None:
    """Invalidate every key of the namespace once the current transaction commits.

    Bumping before the commit would let a reader re-cache the old rows in between;
    outside a transaction the bump happens at once.
    """
    transaction.on_commit(lambda: bump_namespace(namespace))


def cached(namespace: str, key: str, compute: Callable[[], T], timeout: int) -> T:
    """Get `key` of `namespace` from the cache, or compute and store it once.

    Concurrent misses on one key are single-flight: one process computes while the others
    wait up to PEER_WAIT_SECONDS for its result. `compute` must never return None.
    """
    full_key = f"cached:{namespace}:{namespace_version(namespace)}:{key}"
    value = cache.get(full_key)
    if value is not None:
        return value
    lock_key = f"lock:{full_key}"
    if cache.add(lock_key, "1", timeout=COMPUTE_LOCK_SECONDS):
        try:
            # Double-check: the previous holder may have stored the value and released the
            # lock between our first read and our add().
            value = cache.get(full_key)
            if value is not None:
                return value
            value = compute()
            cache.set(full_key, value, timeout=timeout)
            return value
        finally:
            cache.delete(lock_key)
    deadline = time.monotonic() + PEER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(PEER_POLL_SECONDS)
        value = cache.get(full_key)
        if value is not None:
            return value
        if cache.get(lock_key) is None:
            # The holder is done: it stored the value just before releasing, or it failed.
            value = cache.get(full_key)
            if value is not None:
                return value
            break
    return compute()
