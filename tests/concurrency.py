"""Helpers for tests that race real requests against each other (PostgreSQL, one connection per thread).

Mark such tests `@pytest.mark.postgres`: tests/conftest.py skips them on SQLite.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

TIMEOUT_SECONDS = 30


def run_concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at the same moment in its own thread (own DB connection); return results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT_SECONDS)
    return results


class Pause:
    """Holds the first call of a patched function until released; later calls pass straight through.

    Patched over the service a view calls, it stops a request between the view's read of the
    object and the service's transaction: the window in which a concurrent request can commit.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self._lock = threading.Lock()
        original = getattr(target, name)

        def paused(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                first = not self.reached.is_set()
                self.reached.set()
            if first and not self.released.wait(timeout=TIMEOUT_SECONDS):
                raise RuntimeError(f"{name} was never released")
            return original(*args, **kwargs)

        monkeypatch.setattr(target, name, paused)


def interleave(paused: Pause, first: Callable[[], Any], then: Callable[[], Any]) -> tuple[Any, Any]:
    """Run `first` in a thread until it reaches `paused`, run `then` to the end, then let `first` finish.

    Returns both results: (first's, then's).
    """
    results: dict[str, Any] = {}

    def worker() -> None:
        try:
            results["first"] = first()
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert paused.reached.wait(timeout=TIMEOUT_SECONDS), "the first request never reached the pause"
        second = then()
    finally:
        paused.released.set()
        thread.join(timeout=TIMEOUT_SECONDS)
    assert not thread.is_alive(), "the first request did not finish"
    return results["first"], second
