"""The one thread runner of the tests: calls raced against each other, one DB connection per thread.

Mark tests that race real transactions `@pytest.mark.postgres`: tests/conftest.py skips them on SQLite.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

TIMEOUT_SECONDS = 30


class _Worker(threading.Thread):
    """One call in a thread of its own; keeps what it returned or raised; closes its DB connection."""

    def __init__(self, call: Callable[[], Any], start_together: threading.Barrier | None = None) -> None:
        super().__init__(daemon=True)
        self._call = call
        self._start_together = start_together
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            if self._start_together is not None:
                self._start_together.wait(timeout=TIMEOUT_SECONDS)
            self.result = self._call()
        except BaseException as exc:  # handed to the test's thread by the runner
            self.error = exc
        finally:
            connection.close()

    def finish(self, timeout: float) -> None:
        """Wait for the call; a call still running after `timeout` seconds fails the test."""
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"a concurrent call did not finish within {timeout} s")


def run_concurrently(
    *calls: Callable[[], Any],
    timeout: float = TIMEOUT_SECONDS,
    on_start: Callable[[], Any] | None = None,
    return_exceptions: bool = False,
) -> list[Any]:
    """Start every call at the same moment in its own thread (own DB connection); return their results in order.

    `on_start` runs once, as the barrier releases the calls. A call that raises re-raises here
    (after all have finished), unless `return_exceptions`: then its exception takes its place in
    the results. A call that is still running after `timeout` seconds fails the test.
    """
    start_together = threading.Barrier(len(calls), action=on_start)
    workers = [_Worker(call, start_together) for call in calls]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.finish(timeout)
    if not return_exceptions:
        for worker in workers:
            if worker.error is not None:
                raise worker.error
    return [worker.result if worker.error is None else worker.error for worker in workers]


@contextmanager
def in_background(call: Callable[[], Any], timeout: float = TIMEOUT_SECONDS) -> Iterator[_Worker]:
    """Run `call` in its own thread (own DB connection) while the with-block runs.

    On leaving the block, wait for it; then `worker.result` is what it returned (its exception,
    if it raised, re-raises here unless the block itself raised).
    """
    worker = _Worker(call)
    worker.start()
    try:
        yield worker
    finally:
        worker.finish(timeout)
    if worker.error is not None:
        raise worker.error


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
    with in_background(first) as worker:
        try:
            assert paused.reached.wait(timeout=TIMEOUT_SECONDS), "the first request never reached the pause"
            second = then()
        finally:
            paused.released.set()
    return worker.result, second
