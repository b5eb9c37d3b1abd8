"""config.api.caching: versioned namespaces, invalidation after commit, single flight."""

import threading

import pytest
from django.core.cache import cache
from django.db import transaction

from config.api.caching import bump_namespace_on_commit, cached, namespace_version
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
