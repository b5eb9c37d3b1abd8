"""django-prometheus's PostgreSQL backend with a per-process outage breaker in front of Django's pool.

Without it every request waits the pool's full `timeout` (DB_POOL_TIMEOUT, 5 s) before its 503
while PostgreSQL is down, and a gunicorn worker serving one request at a time queues the next
ones behind that wait. A shorter pool wait once the outage was seen is no cure: after PostgreSQL
returns, psycopg_pool reconnects only after its backoff (1, 2, 4, 8 s ... after failed
reconnects), so a short wait gives up before the reconnect fires and the outage outlives
PostgreSQL's by seconds.

The breaker, per alias and per process:

- A checkout that fails (`PoolTimeout`, or a connect error) opens it. The first request to meet
  an outage therefore still waits the whole pool timeout.
- While it is open the pool is not asked at all. A request probes PostgreSQL directly, with a
  fresh connection on the pool's own conninfo (connect timeout 2 s, libpq's minimum; closed at
  once), at most once per DB_OUTAGE_PROBE_INTERVAL; between probes, or when the probe fails, it
  fails at once with `psycopg.OperationalError` (a 503 with Retry-After, config/api/exceptions.py).
  So a 503 of an outage already seen costs a refused connect, or at most the probe's timeout.
- A probe that connects means PostgreSQL is back: the breaker closes and the request checks out
  as usual. If no connection of the pool is checked out (always so in a sync gunicorn worker),
  the pool is replaced by a fresh one: no reconnect backoff to sit out, no connection the
  outage broke. Otherwise (threaded workers) the pool checks its idle connections at once
  (`ConnectionPool.check()`) and the request waits the normal timeout.
- A pool that is merely exhausted (every connection busy, PostgreSQL up) is no outage: the probe
  connects, so the next request waits the normal pool timeout again, as the contract says.

Why not the pool's statistics to know whether a connection is checked out: `pool_size` counts
the reconnect attempts it has scheduled and `requests_waiting` the waiters that already timed
out (psycopg_pool 3.3), so after an outage they say "busy" in an idle worker. The wrapper counts
the checkouts it made and has not returned instead.

Stale connections after a restart nobody saw: the pool checks each connection at checkout
(CONN_HEALTH_CHECKS, config/settings/base.py) and replaces a broken one.
Behind PgBouncer there is no pool and the breaker does nothing: `connect_timeout` bounds the wait.
"""

import logging
import threading
import time
from typing import Any

import psycopg
from django.conf import settings
from django_prometheus.db.backends.postgresql import base

logger = logging.getLogger(__name__)

# libpq's smallest connect timeout: a probe of a server that drops packets gives up after it.
PROBE_CONNECT_TIMEOUT = 2


class Breaker:
    """One alias's state in this process; read and written under `DatabaseWrapper._breaker_lock`."""

    def __init__(self) -> None:
        self.open = False
        self.next_probe = 0.0  # time.monotonic() before which a request fails without probing
        self.checked_out = 0  # connections this process's wrappers took from the pool, not yet returned


class DatabaseWrapper(base.DatabaseWrapper):
    # Like Django's `_connection_pools`: one per alias, shared by the process's threads.
    _breakers: dict[str, Breaker] = {}
    _breaker_lock = threading.Lock()

    @property
    def breaker(self) -> Breaker:
        with self._breaker_lock:
            return self._breakers.setdefault(self.alias, Breaker())

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pool = self.pool
        if pool is None:
            return super().get_new_connection(conn_params)
        breaker = self.breaker
        if breaker.open:
            self._through_open_breaker(breaker, pool)
        try:
            connection = super().get_new_connection(conn_params)  # self.pool: maybe a new one
        except psycopg.OperationalError:  # PoolTimeout is one too
            self._trip(breaker)
            raise
        with self._breaker_lock:
            breaker.checked_out += 1
            breaker.open = False  # a checkout succeeded: whatever opened it is over
        return connection

    def _close(self) -> None:
        if getattr(self.connection, "_pool", None) is not None:  # a pooled connection goes back
            with self._breaker_lock:
                breaker = self._breakers.get(self.alias)
                if breaker is not None and breaker.checked_out > 0:
                    breaker.checked_out -= 1
        super()._close()

    def _trip(self, breaker: Breaker) -> None:
        with self._breaker_lock:
            if breaker.open:
                return
            breaker.open = True
            breaker.next_probe = time.monotonic()  # the next request probes at once: outage or busy pool?
        logger.warning(
            "Database %s: no connection from the pool; the pool is not asked again until PostgreSQL "
            "accepts a connection (probed at most every %s s)",
            self.alias,
            settings.DB_OUTAGE_PROBE_INTERVAL,
        )

    def _through_open_breaker(self, breaker: Breaker, pool: Any) -> None:
        """Return once PostgreSQL accepts a connection again; raise at once while it does not."""
        now = time.monotonic()
        with self._breaker_lock:
            if not breaker.open:
                return
            if now < breaker.next_probe:
                raise psycopg.OperationalError(
                    f"database {self.alias} unreachable a moment ago; next probe in {breaker.next_probe - now:.2f} s"
                )
            breaker.next_probe = now + settings.DB_OUTAGE_PROBE_INTERVAL  # other threads: no probe meanwhile
        self._probe(pool)  # raises while PostgreSQL is still away
        with self._breaker_lock:
            if not breaker.open:
                return  # another thread saw it back first
            breaker.open = False
            replace = breaker.checked_out == 0
            if replace:
                # Nothing of the old pool is in use: drop it with its backoff and broken connections;
                # the next `self.pool` builds a fresh one.
                self.close_pool()
        if not replace:
            pool.check()
        logger.warning(
            "Database %s reachable again; %s",
            self.alias,
            "the pool is replaced" if replace else "the pool's idle connections are checked",
        )

    @staticmethod
    def _probe(pool: Any) -> None:
        kwargs = {**pool.kwargs, "connect_timeout": PROBE_CONNECT_TIMEOUT}
        psycopg.Connection.connect(pool.conninfo, **kwargs).close()
