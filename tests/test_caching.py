"""config.api.caching: versioned namespaces, invalidation after commit, single flight."""

import threading
from collections.abc import Callable
from contextlib import nullcontext
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from config.api import caching
from config.api.caching import Companion, bump_namespace, bump_namespace_on_commit, cached, namespace_version
from tests.concurrency import run_concurrently


def test_cached_computes_once_then_hits():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert cached("ns-a", "k", compute, timeout=60) == {"n": 1}
    assert cached("ns-a", "k", compute, timeout=60) == {"n": 1}
    assert len(calls) == 1


def test_keys_are_separate_per_namespace_and_key():
    assert cached("ns-a", "k1", lambda: "a1", timeout=60) == "a1"
    assert cached("ns-a", "k2", lambda: "a2", timeout=60) == "a2"
    assert cached("ns-b", "k1", lambda: "b1", timeout=60) == "b1"


@pytest.mark.django_db(transaction=True)
def test_bump_waits_for_commit_and_then_invalidates():
    cached("ns-c", "k", lambda: "old", timeout=60)
    before = namespace_version("ns-c")
    with transaction.atomic():
        bump_namespace_on_commit("ns-c")
        # Inside the transaction readers still get the old (committed) answer.
        assert namespace_version("ns-c") == before
        assert cached("ns-c", "k", lambda: "new", timeout=60) == "old"
    assert namespace_version("ns-c") != before
    assert cached("ns-c", "k", lambda: "new", timeout=60) == "new"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_does_not_invalidate():
    cached("ns-d", "k", lambda: "kept", timeout=60)
    before = namespace_version("ns-d")

    def write_then_fail():
        with transaction.atomic():
            bump_namespace_on_commit("ns-d")
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert namespace_version("ns-d") == before


def test_concurrent_misses_compute_once():
    calls = []
    release = threading.Event()

    def compute():
        calls.append(1)
        release.wait(1)
        return "value"

    def reader():
        return cached("ns-e", "k", compute, timeout=60)

    results = run_concurrently(*(reader for _ in range(8)), on_start=release.set)
    assert results == ["value"] * 8
    assert len(calls) == 1


def test_lost_version_never_resurrects_old_entries():
    cached("ns-f", "k", lambda: "old", timeout=60)
    cache.delete("ns-version:ns-f")  # eviction of the version key alone
    assert cached("ns-f", "k", lambda: "new", timeout=60) == "new"


def test_a_hit_is_one_cache_round_trip():
    """The version and the entry come back in one get_many (MGET): no get, no add, no set."""
    cached("ns-trip", "k", lambda: "v", timeout=60)
    calls: list[str] = []
    real_get_many = cache.get_many

    def spy_get_many(keys, *args, **kwargs):
        calls.append("get_many")
        return real_get_many(keys, *args, **kwargs)

    # The local-memory cache's get_many is a get per key; django-redis's is one MGET.
    no_get = mock.patch.object(cache, "get", side_effect=AssertionError("get on a hit"))
    with (
        mock.patch.object(cache, "get_many", spy_get_many),
        no_get if settings.REDIS_URL else nullcontext(),
        mock.patch.object(cache, "add", side_effect=AssertionError("add on a hit")),
        mock.patch.object(cache, "set", side_effect=AssertionError("set on a hit")),
    ):
        assert cached("ns-trip", "k", lambda: "recomputed", timeout=60) == "v"
    assert calls == ["get_many"]


def test_an_entry_of_an_older_version_is_a_miss_and_is_overwritten():
    assert cached("ns-old", "k", lambda: "before", timeout=60) == "before"
    bump_namespace("ns-old")
    assert cached("ns-old", "k", lambda: "after", timeout=60) == "after"
    assert cached("ns-old", "k", lambda: "again", timeout=60) == "after"
    # One key per entry whatever the version: a bump leaves nothing behind to expire.
    assert cache.get("cached:ns-old:k") == (namespace_version("ns-old"), "after")


def test_an_entry_without_its_version_is_a_miss():
    """What a release that stored bare values left under the key is recomputed, never served."""
    namespace_version("ns-bare")
    cache.set("cached:ns-bare:k", "a bare value", timeout=60)
    assert cached("ns-bare", "k", lambda: "computed", timeout=60) == "computed"


@override_settings(CACHE_ENTRY_MAX_BYTES=10)
def test_a_value_over_the_entry_size_limit_is_returned_but_not_stored():
    calls: list[int] = []

    def compute() -> bytes:
        calls.append(1)
        return b"x" * 11

    assert cached("ns-big", "k", compute, timeout=60, size=len) == b"x" * 11
    assert cached("ns-big", "k", compute, timeout=60, size=len) == b"x" * 11
    assert len(calls) == 2
    assert cache.get("cached:ns-big:k") is None
    # At the limit it is stored.
    assert cached("ns-big", "small", lambda: b"x" * 10, timeout=60, size=len) == b"x" * 10
    assert cached("ns-big", "small", lambda: b"recomputed", timeout=60, size=len) == b"x" * 10


@pytest.mark.django_db
def test_an_oversized_list_answer_is_not_stored_but_still_served_with_its_etag(user, client_for):
    """Through the API: a posts page over CACHE_ENTRY_MAX_BYTES is answered, never stored."""
    from posts.models import Post

    Post.objects.bulk_create([Post(author=user, text="y" * 5000) for _ in range(3)])
    client = client_for(user)
    stored: list[str] = []
    real_store = caching._set_many_and_delete  # every value cached() stores goes through it

    def spy(entries, *args, **kwargs):
        stored.extend(key for key in entries if key.startswith("cached:") and ":list:" in key)
        return real_store(entries, *args, **kwargs)

    with override_settings(CACHE_ENTRY_MAX_BYTES=10_000), mock.patch.object(caching, "_set_many_and_delete", spy):
        first = client.get("/api/v1/posts/")
        assert len(first.content) > 10_000
        assert stored == []
        Post.objects.bulk_create([Post(author=user, text="behind the cache's back")])
        again = client.get("/api/v1/posts/")  # computed again: the new row shows
        assert again.json()["results"][0]["text"] == "behind the cache's back"
        assert client.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
        client.get("/api/v1/posts/?page_size=1")  # a small page of the same list is stored
        assert len(stored) == 1


def test_concurrent_misses_of_different_pages_count_once():
    """A page's count is a Companion: misses of other pages of one filter wait for it, as misses of one key do."""
    counted: list[int] = []
    release = threading.Event()

    def count() -> int:
        counted.append(1)
        release.wait(1)
        return 42

    def page(number: int) -> Callable[[], tuple[int, int]]:
        def read() -> tuple[int, int]:
            total = Companion("count:f")

            def compute() -> tuple[int, int]:
                return (number, total.get(count, "ns-pages"))

            return cached("ns-pages", f"page:{number}", compute, timeout=60, companions=[total])

        return read

    results = run_concurrently(*(page(number) for number in range(1, 7)), on_start=release.set)
    assert results == [(number, 42) for number in range(1, 7)]
    assert len(counted) == 1
    # Stored with the pages: a new page reads it, counting nothing.
    assert page(7)() == (7, 42)
    assert len(counted) == 1


def test_a_companion_is_read_with_the_entry_and_stored_with_it():
    total = Companion("count:g")
    assert cached("ns-comp", "page:1", lambda: ("p1", total.get(lambda: 5, "ns-comp")), 60, companions=[total]) == (
        "p1",
        5,
    )
    again = Companion("count:g")
    assert cached("ns-comp", "page:2", lambda: ("p2", again.get(lambda: 6, "ns-comp")), 60, companions=[again]) == (
        "p2",
        5,
    )
    bump_namespace("ns-comp")  # a write drops the count with the pages
    fresh = Companion("count:g")
    assert cached("ns-comp", "page:2", lambda: ("p2", fresh.get(lambda: 6, "ns-comp")), 60, companions=[fresh]) == (
        "p2",
        6,
    )
