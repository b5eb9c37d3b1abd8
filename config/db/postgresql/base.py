"""django-prometheus's PostgreSQL backend with a per-process outage breaker on Django's pool.

Without it every request waits the pool's full `timeout` (DB_POOL_TIMEOUT, 5 s) before its 503
while PostgreSQL is down, and a gunicorn worker serving one request at a time queues the next
ones behind that wait. The breaker: once a checkout from this process's pool has failed
(`PoolTimeout`, or a connect error), later checkouts wait at most `DB_OUTAGE_POOL_TIMEOUT`,
until one succeeds. The first request to meet an outage still waits the full timeout (a busy
pool is not an outage), every later one gets its 503 within the short wait; the first checkout
that succeeds, PostgreSQL back and the pool reconnected, closes the breaker again.

The state is the pool's own `timeout` (one pool per alias per process, shared by its threads):
one attribute that every `getconn()` reads, so there is no second copy to drift from it.

Stale connections: the pool checks each connection at checkout (CONN_HEALTH_CHECKS,
config/settings/base.py) and replaces a broken one, but sleeps 1 s, then 2 s, ... before taking
the next, and a short wait cannot afford that. So when the breaker trips it also has the pool
check every idle connection at once (`ConnectionPool.check()`): what the outage broke is
discarded then, not one per request after PostgreSQL is back.
Behind PgBouncer there is no pool and the breaker does nothing: `connect_timeout` bounds the wait.
"""

import logging
from typing import Any

import psycopg
from django.conf import settings
from django_prometheus.db.backends.postgresql import base

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    def outage_timeout(self) -> float:
        """The short wait while this process has seen the database fail; never above the normal wait."""
        return min(settings.DB_OUTAGE_POOL_TIMEOUT, self.normal_timeout())

    def normal_timeout(self) -> float:
        return float(self.settings_dict["OPTIONS"]["pool"].get("timeout", 30.0))

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pool = self.pool
        if pool is None:
            return super().get_new_connection(conn_params)
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.OperationalError:  # PoolTimeout is one too
            self._trip(pool)
            raise
        normal = self.normal_timeout()
        if pool.timeout != normal:
            logger.warning("Database %s reachable again; pool checkouts wait %s s again", self.alias, normal)
            pool.timeout = normal
        return connection

    def _trip(self, pool: Any) -> None:
        short = self.outage_timeout()
        if pool.timeout != short:
            logger.warning(
                "Database %s: no connection from the pool; checkouts wait %s s instead of %s s until one succeeds",
                self.alias,
                short,
                pool.timeout,
            )
            pool.timeout = short
            # Drop the idle connections the outage broke now, in one pass without backoff.
            pool.check()
