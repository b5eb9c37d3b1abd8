"""config.settings.base._database: Django's pool by default, PgBouncer's rules with DB_POOLER=pgbouncer."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import _database

POSTGRES_URL = "postgresql://app@db.internal:6432/api"


def parsed(url: str) -> dict:
    return environ.Env.db_url_config(url)


def test_postgres_gets_django_s_pool_by_default():
    config = _database(parsed(POSTGRES_URL), pool_timeout=5.0)

    assert config["ENGINE"] == "config.db.postgresql", "django-prometheus's engine with the outage breaker"
    assert config["OPTIONS"]["pool"]["timeout"] == 5.0
    assert config["CONN_HEALTH_CHECKS"] is True, "the pool checks a connection before handing it out"
    assert config["CONN_MAX_AGE"] == 0
    assert "prepare_threshold" not in config["OPTIONS"]
    assert not config.get("DISABLE_SERVER_SIDE_CURSORS")


def test_behind_pgbouncer_nothing_outlives_a_transaction(monkeypatch):
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)

    config = _database(parsed(POSTGRES_URL), pool_timeout=5.0, pooler="pgbouncer")

    assert config["ENGINE"] == "config.db.postgresql"
    assert "pool" not in config["OPTIONS"], "PgBouncer is the pool; Django's would be a second one"
    assert config["OPTIONS"]["prepare_threshold"] is None
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["connect_timeout"] == 5, "the pool's wait becomes the connect's"


def test_behind_pgbouncer_a_replica_s_short_wait_is_libpq_s_minimum_connect_timeout():
    config = _database(parsed(POSTGRES_URL), pool_timeout=1.0, pooler="pgbouncer")

    assert config["OPTIONS"]["connect_timeout"] == 2


def test_behind_pgbouncer_the_connection_age_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")

    assert _database(parsed(POSTGRES_URL), pool_timeout=5.0, pooler="pgbouncer")["CONN_MAX_AGE"] == 0


def test_sqlite_ignores_the_pooler():
    config = _database(parsed("sqlite:////tmp/x.sqlite3"), pool_timeout=5.0, pooler="pgbouncer")

    assert config["OPTIONS"] == {"timeout": 20}


def test_an_unknown_pooler_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="DB_POOLER"):
        _database(parsed(POSTGRES_URL), pool_timeout=5.0, pooler="pgpool")
