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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

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


@dataclass
class Companion:
    """An entry of the namespace read, locked and stored in the same round trips as a `cached()` value.

    A page's count is one (config/api/cached_views.py): every page of a filter shares it, so it is
    its own entry, but a page's miss reads it in the page's MGET, takes its single-flight lock in
    the same round trip as the page's lock, and stores it with the page. `get(compute)` (called
    while the page is computed) answers from what was read, computes it if this process holds its
    lock, or waits for the process that does (as `cached()` waits for a peer's value).
    """

    key: str
    value: Any = None  # of the current version, once cached() has read it
    holding: bool = False  # this process took its lock: it computes the value and stores it with the page
    computed: Any = None  # what it computed, for cached() to store
    version: str | None = None  # set once cached() has read it under a version

    def get(self, compute: Callable[[], T], namespace: str) -> T:
        if self.value is not None:
            return cast(T, self.value)
        if self.holding or self.version is None:  # ours to compute (or the cache is out of the picture)
            self.value = compute()
            if self.holding:
                self.computed = self.value
            return self.value
        value = _await_peer(_entry_key(namespace, self.key), _lock_key(namespace, self.version, self.key), self.version)
        self.value = compute() if value is None else value
        return cast(T, self.value)


def _lock_key(namespace: str, version: str, key: str) -> str:
    return f"lock:{namespace}:{version}:{key}"


def _add_and_get_many(
    adds: dict[str, Any], timeout: int, keys: list[str]
) -> tuple[dict[str, bool], dict[str, Any]] | None:
    """SET NX each of `adds`, then read `keys`: one pipelined round trip on Redis (config/redis_cache.py)."""
    combined = getattr(cache, "add_and_get_many", None)
    if combined is not None:
        return cast("tuple[dict[str, bool], dict[str, Any]] | None", combined(adds, timeout, keys))
    added = {key: bool(cache.add(key, value, timeout=timeout)) for key, value in adds.items()}
    return added, cache.get_many(keys)


def _set_many_and_delete(entries: dict[str, Any], timeout: int, delete: list[str]) -> None:
    """Store `entries` and drop the `delete` keys: one pipelined round trip on Redis."""
    combined = getattr(cache, "set_many_and_delete", None)
    if combined is not None:
        combined(entries, timeout, delete)
        return
    if entries:
        cache.set_many(entries, timeout=timeout)
    if delete:
        cache.delete_many(delete)


def _await_peer(entry_key: str, lock_key: str, version: str) -> Any:
    """The value another process is computing under `lock_key`, once stored; None if it gave up or took too long."""
    deadline = time.monotonic() + PEER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(PEER_POLL_SECONDS)
        value = _for_version(cache.get(entry_key), version)
        if value is not None:
            return value
        if cache.get(lock_key) is None:
            # The holder is done: it stored the value just before releasing, or it failed.
            return _for_version(cache.get(entry_key), version)
    return None


def cached(
    namespace: str,
    key: str,
    compute: Callable[[], T],
    timeout: int,
    *,
    size: Callable[[T], int] | None = None,
    companions: Sequence[Companion] = (),
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

    A miss is three round trips on Redis, `companions` included (a page's count: `Companion`):
    the MGET, then the locks taken and the entries read again (one pipeline), then the values
    stored and the locks released (one pipeline).
    """
    version_key, entry_key = _version_key(namespace), _entry_key(namespace, key)
    companion_keys = {_entry_key(namespace, companion.key): companion for companion in companions}
    found = cache.get_many([version_key, entry_key, *companion_keys])
    version = found.get(version_key)
    if version is None:
        version = namespace_version(namespace)
        found = {}
    else:
        version = str(version)
        value = _for_version(found.get(entry_key), version)
        if value is not None:
            return value
    if version.startswith("nocache-"):  # the cache is down: compute, store nothing
        return compute()
    if settings.REPLICA_DATABASES and _recently_bumped(version):
        compute = _reading_the_primary(compute)

    lock_key = _lock_key(namespace, version, key)
    missing: dict[str, Companion] = {}  # lock key -> companion
    for companion_key, companion in companion_keys.items():
        companion.version = version
        companion.value = _for_version(found.get(companion_key), version)
        if companion.value is None:
            missing[_lock_key(namespace, version, companion.key)] = companion
    # Take the locks, then (double-check) read again what a previous holder may have stored and
    # released between our MGET and now: one round trip.
    answer = _add_and_get_many(
        dict.fromkeys([lock_key, *missing], "1"),
        COMPUTE_LOCK_SECONDS,
        [entry_key, *(_entry_key(namespace, companion.key) for companion in missing.values())],
    )
    if answer is None:  # the cache is unreachable: compute, store nothing
        for companion in companion_keys.values():
            companion.version = None
        return compute()
    added, stored = answer
    taken = [companion_lock for companion_lock in missing if added.get(companion_lock)]
    for companion_lock, companion in missing.items():
        companion.value = _for_version(stored.get(_entry_key(namespace, companion.key)), version)
        companion.holding = companion.value is None and companion_lock in taken
    if not added.get(lock_key):
        if taken:  # another process computes this key: the companions it needs are its own to compute
            cache.delete_many(taken)
            for companion in missing.values():
                companion.holding = False
        value = _await_peer(entry_key, lock_key, version)
        return compute() if value is None else value
    held = [lock_key, *taken]
    try:
        value = _for_version(stored.get(entry_key), version)
        if value is not None:
            return value
        value = compute()
        entries = {
            _entry_key(namespace, companion.key): (version, companion.computed)
            for companion in missing.values()
            if companion.holding and companion.computed is not None
        }
        if size is None or size(value) <= settings.CACHE_ENTRY_MAX_BYTES:
            entries[entry_key] = (version, value)
        _set_many_and_delete(entries, timeout, held)
        held = []
        return value
    finally:
        if held:  # compute raised (a 400 or 404 is never cached): release the locks
            cache.delete_many(held)
