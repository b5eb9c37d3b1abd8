"""Read replicas with read-your-writes: where each query goes (active only with DATABASE_REPLICA_URLS).

Writes always go to the primary (`default`), and so do migrations. A read goes to a replica only
inside an API request (`/api/...`, routed by `ReplicaRoutingMiddleware`) that is a safe method
(GET, HEAD, OPTIONS), carries no session cookie (the browsable API, the admin), has not written
yet, is not inside an atomic block, and whose user is not *pinned*. Everything else (management
commands, the admin, shells, `/ready/`, any request that writes) reads from the primary.

**Pinning.** After a request by user U that wrote (any unsafe method that succeeded, or any query
routed as a write) U is pinned for `REPLICA_PIN_SECONDS`: a key in the default cache (Redis),
so every instance honours it. `accounts.services.tokens_for_user` pins the user too, so a user
who has just registered or logged in (as an anonymous request) reads their own rows at once.

**Who is asking.** DRF authenticates inside the view, before the view's first read; the JWT
authenticator (`accounts.authentication`) looks the user up *on the primary* (a deactivated user
is refused at once, a just-registered one is found) and then calls `identify(user_id)`. The
pin (one `get_many` from the cache, with the replicas' "down" flags) is looked up lazily at the
request's first routed read, so a request answered from the cache pays nothing.

**If Redis is unreachable** the pins cannot be known: a sentinel key read with them is missing,
and the request reads from the primary (never a stale read of one's own write).

**A replica that fails** (its connection refused, broken, or its pool timed out) is flagged down in
the cache for `REPLICA_DOWN_SECONDS`; the middleware answers the safe request again on the
primary, so the client sees no 5xx, and every instance routes around the replica until the flag
expires. Cached answers recomputed after an invalidation: see `config.api.caching.cached`.
"""

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Present whenever the cache answers; its absence from a `get_many` means "cache unreachable".
SENTINEL_KEY = "replica-routing:sentinel"


def pin_key(user_id: object) -> str:
    return f"replica-pin:user:{user_id}"


def down_key(alias: str) -> str:
    return f"replica-down:{alias}"


@dataclass
class RoutingState:
    """What one request has decided so far; `replica` is None while it reads from the primary."""

    primary: bool  # every read of this request goes to the primary
    user_id: object = None
    resolved: bool = False
    replica: str | None = None
    wrote: bool = False
    used_replica: str | None = None  # the replica a read of this request went to

    def resolve(self) -> None:
        """Pinned? Which replicas are up? One cache round trip, at the request's first routed read."""
        self.resolved = True
        keys = [SENTINEL_KEY, *(down_key(alias) for alias in settings.REPLICA_DATABASES)]
        if self.user_id is not None:
            keys.append(pin_key(self.user_id))
        found = cache.get_many(keys)
        if SENTINEL_KEY not in found:
            # The cache is unreachable (or lost its keys): pins are unknown, so read from the primary.
            cache.add(SENTINEL_KEY, "1", timeout=None)
            self.replica = None
            return
        if self.user_id is not None and pin_key(self.user_id) in found:
            self.replica = None
            return
        up = [alias for alias in settings.REPLICA_DATABASES if down_key(alias) not in found]
        self.replica = random.choice(up) if up else None  # noqa: S311 - load spreading, not security


_state: ContextVar[RoutingState | None] = ContextVar("replica_routing_state", default=None)


def identify(user_id: object) -> None:
    """The request's user is known (the JWT authenticator calls this): their pin decides the reads."""
    state = _state.get()
    if state is not None and state.user_id != user_id:
        state.user_id, state.resolved, state.replica = user_id, False, None


def pin_user(user_id: object) -> None:
    """Send `user_id`'s reads to the primary for REPLICA_PIN_SECONDS, on every instance."""
    if settings.REPLICA_DATABASES and user_id is not None:
        cache.set(pin_key(user_id), "1", timeout=settings.REPLICA_PIN_SECONDS)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Within the block, this request's reads go to the primary (e.g. recomputing a fresh cache namespace)."""
    state = _state.get()
    if state is None or state.primary:
        yield
        return
    state.primary = True
    try:
        yield
    finally:
        state.primary = False


def mark_replica_down(alias: str) -> None:
    logger.warning("Replica %s failed; reads go to the primary for %s s", alias, settings.REPLICA_DOWN_SECONDS)
    cache.set(down_key(alias), str(time.time()), timeout=settings.REPLICA_DOWN_SECONDS)


class ReplicaRouter:
    """Reads to a replica when the request's state allows it; writes and migrations to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = _state.get()
        if state is None or state.primary or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not state.resolved:
            state.resolve()
        if state.replica is None:
            return DEFAULT_DB_ALIAS
        state.used_replica = state.replica
        return state.replica

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _state.get()
        if state is not None:
            # From now on this request reads what it wrote; afterwards its user is pinned.
            state.primary = state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _replica_eligible(request: HttpRequest) -> bool:
    return (
        request.method in SAFE_METHODS
        and request.path.startswith("/api/")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Sets each request's routing state; pins the writer afterwards; retries on the primary if a replica failed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = RoutingState(primary=not _replica_eligible(request))
        token = _state.set(state)
        try:
            response = self.get_response(request)
            failed = state.used_replica
            if failed is not None and response.status_code >= 500 and connections[failed].errors_occurred:
                # The replica broke this read (a 503 from an unreachable replica; a 500 from e.g. a
                # recovery conflict). A safe request may run again: on the primary this time.
                if response.status_code == 503:
                    mark_replica_down(failed)
                retry = RoutingState(primary=True)
                _state.set(retry)
                response = self.get_response(request)
                retry.user_id = retry.user_id or state.user_id
                state = retry
            if state.wrote or (request.method not in SAFE_METHODS and response.status_code < 400):
                pin_user(state.user_id if state.user_id is not None else _session_user_id(request))
            return response
        finally:
            _state.reset(token)


def _session_user_id(request: HttpRequest) -> object:
    """The user DRF or the session signed in, if any (a request with a session cookie: the admin, the browsable API)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None
