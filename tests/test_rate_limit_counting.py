"""How a request is counted in its rate-limit bucket (config/api/ratelimit.py `count_request`).

On Redis: one round trip per counted request (config.redis_cache `count_in_window`), with exactly
what django-ratelimit's `get_usage` would have answered and stored: the same key, fixed window,
expiry, count and `time_left`, read back by `get_usage(increment=False)`. Elsewhere (the
local-memory cache) `get_usage` itself counts. Redis unreachable: served, as get_usage fails open.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import RequestFactory, override_settings
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, get_usage
from redis.connection import AbstractConnection

import config.api.ratelimit
from config.api.ratelimit import consume, count_request
from tests.catalog.test_caching import _unreachable_redis_caches

GROUP = "test-counting"
RATE = "3/m"
PRODUCTS = "/api/v1/products/"


def _request():
    return RequestFactory().get("/", REMOTE_ADDR="10.20.0.1")


def _usage_now(value: str) -> dict | None:
    """What django-ratelimit reads for the bucket without counting."""
    return get_usage(_request(), group=GROUP, key=lambda _group, _request: value, rate=RATE, increment=False)


def _cache_key(value: str) -> str:
    return _make_cache_key(GROUP, _get_window(value, 60), RATE, value, ALL)


@contextmanager
def _round_trips() -> Iterator[list[int]]:
    """Counts the requests sent to Redis (each command or pipeline is one `send_packed_command`)."""
    sent = [0]
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent[0] += 1
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        AbstractConnection.send_packed_command = original  # type: ignore[method-assign]


@pytest.fixture
def frozen_clocks(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """`freeze(ts)`: django-ratelimit's clock and ours both read `ts` (conftest freezes only theirs)."""

    def freeze(ts: int) -> None:
        clock = SimpleNamespace(time=lambda: float(ts))
        monkeypatch.setattr(django_ratelimit.core, "time", clock)
        monkeypatch.setattr(config.api.ratelimit, "time", clock)

    return freeze


# --- on Redis: one round trip, django-ratelimit's counter ------------------------------------
@pytest.mark.redis
def test_counting_a_request_on_redis_is_one_round_trip_every_time():
    consume(_request(), group="warm-up", value="x", rate_setting="RATE_LIMIT_ANON")  # the connection's own set-up
    trips = []
    for _ in range(3):  # the first count creates the key, the next ones find it
        with _round_trips() as sent:
            consume(_request(), group=GROUP, value="one-trip", rate_setting="RATE_LIMIT_ANON")
        trips.append(sent[0])

    assert trips == [1, 1, 1]


@pytest.mark.redis
@pytest.mark.django_db
def test_an_anonymous_api_read_spends_one_round_trip_on_its_rate_limit(api_client):
    def trips(enabled: bool) -> int:
        with override_settings(RATELIMIT_ENABLE=enabled):
            api_client.get(PRODUCTS)  # cached and connected: both measured reads are alike
            with _round_trips() as sent:
                assert api_client.get(PRODUCTS).status_code == 200
        return sent[0]

    assert trips(True) - trips(False) == 1


@pytest.mark.redis
def test_the_count_on_redis_is_django_ratelimits_key_expiry_and_answer(frozen_clocks):
    frozen_clocks(1_800_000_000)
    value = "10.20.0.2"
    answers = [count_request(_request(), group=GROUP, value=value, rate=RATE) for _ in range(4)]

    assert [answer["count"] for answer in answers] == [1, 2, 3, 4]  # type: ignore[index]
    assert [answer["should_limit"] for answer in answers] == [False, False, False, True]  # type: ignore[index]
    window = _get_window(value, 60)
    assert answers[-1] == {"count": 4, "limit": 3, "should_limit": True, "time_left": window - 1_800_000_000}
    # django-ratelimit reads the very counter, and says what we said.
    assert _usage_now(value) == answers[-1]
    cache: Any = caches["default"]  # config.redis_cache.RedisCache
    assert cache.get(_cache_key(value)) == 4
    assert cache.ttl(_cache_key(value)) in (60 + EXPIRATION_FUDGE - 1, 60 + EXPIRATION_FUDGE)


@pytest.mark.redis
def test_a_new_window_on_redis_starts_again_at_one(frozen_clocks):
    value = "10.20.0.3"
    frozen_clocks(1_800_000_000)
    for _ in range(4):
        count_request(_request(), group=GROUP, value=value, rate=RATE)
    window = _get_window(value, 60)

    frozen_clocks(window + 1)  # the next fixed window: another key
    answer = count_request(_request(), group=GROUP, value=value, rate=RATE)

    assert answer == {"count": 1, "limit": 3, "should_limit": False, "time_left": 59}


@pytest.mark.redis
def test_counts_on_redis_continue_a_counter_django_ratelimit_started():
    value = "10.20.0.4"
    for _ in range(2):
        get_usage(_request(), group=GROUP, key=lambda _group, _request: value, rate=RATE, increment=True)

    assert count_request(_request(), group=GROUP, value=value, rate=RATE)["count"] == 3  # type: ignore[index]


@pytest.mark.redis
@pytest.mark.django_db
@override_settings(RATE_LIMIT_ANON="3/m")
def test_the_request_after_the_limit_is_429_with_retry_after_on_redis(api_client, frozen_clocks):
    frozen_clocks(1_800_000_000)
    for _ in range(3):
        assert api_client.get(PRODUCTS, REMOTE_ADDR="10.20.0.5").status_code == 200

    refused = api_client.get(PRODUCTS, REMOTE_ADDR="10.20.0.5")

    assert refused.status_code == 429
    time_left = _get_window("10.20.0.5", 60) - 1_800_000_000
    assert refused["Retry-After"] == str(max(1, time_left))
    assert api_client.get(PRODUCTS, REMOTE_ADDR="10.20.0.6").status_code == 200  # another client's bucket


@pytest.mark.redis
@pytest.mark.parametrize(
    "rate",
    [lambda _group, _request: RATE, "tests.test_rate_limit_counting.rate_by_path"],
    ids=["callable", "dotted path"],
)
def test_a_rate_given_as_a_function_is_counted_by_django_ratelimit_on_redis_too(rate):
    value = f"rate-function-{id(rate)}"
    answers = [count_request(_request(), group=GROUP, value=value, rate=rate) for _ in range(4)]
    assert [answer["count"] for answer in answers if answer] == [1, 2, 3, 4]
    assert [answer["should_limit"] for answer in answers if answer] == [False, False, False, True]


def rate_by_path(_group: str, _request: Any) -> str:
    return RATE


@pytest.mark.redis
def test_clients_sharing_the_counters_are_refused_at_the_same_total():
    """Each thread has its own cache client, as each server process and instance has: 50 allowed in all."""
    allowed: list[bool] = []
    lock = threading.Lock()

    def send(times: int) -> None:
        for _ in range(times):
            refused = consume(_request(), group=GROUP, value="shared", rate_setting="RATE_LIMIT_ANON")
            with lock:
                allowed.append(refused is None)

    with override_settings(RATE_LIMIT_ANON="50/h"):
        workers = [threading.Thread(target=send, args=(25,)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert caches["default"].get(_make_cache_key(GROUP, _get_window("shared", 3600), "50/h", "shared", ALL)) == 100

    assert len(allowed) == 100
    assert sum(allowed) == 50


# --- Redis unreachable, and the local-memory cache --------------------------------------------
@pytest.mark.parametrize("fail_open", [True, False])
def test_redis_unreachable_is_answered_as_django_ratelimit_answers(fail_open):
    with override_settings(
        CACHES=_unreachable_redis_caches(), DJANGO_REDIS_IGNORE_EXCEPTIONS=True, RATELIMIT_FAIL_OPEN=fail_open
    ):
        ours = count_request(_request(), group=GROUP, value="down", rate=RATE)
        theirs = get_usage(_request(), group=GROUP, key=lambda _group, _request: "down", rate=RATE, increment=True)

    assert ours == theirs
    assert (ours is None) is fail_open


@pytest.mark.django_db
@override_settings(RATE_LIMIT_ANON="1/m")
def test_redis_unreachable_refuses_nobody_and_fails_nothing(api_client):
    assert settings.RATELIMIT_FAIL_OPEN
    with override_settings(CACHES=_unreachable_redis_caches(), DJANGO_REDIS_IGNORE_EXCEPTIONS=True):
        unreachable: Any = caches["default"]
        assert unreachable.count_in_window("k", 65) is None
        statuses = [api_client.get(PRODUCTS).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


def test_the_local_memory_cache_is_counted_by_django_ratelimit():
    local = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache", "LOCATION": "rl-counting"}}
    with override_settings(CACHES=local):
        assert not hasattr(caches["default"], "count_in_window")
        answers = [count_request(_request(), group=GROUP, value="local", rate=RATE) for _ in range(4)]
        assert _usage_now("local") == answers[-1]

    assert [answer["count"] for answer in answers] == [1, 2, 3, 4]  # type: ignore[index]
    assert answers[-1]["should_limit"]  # type: ignore[index]
