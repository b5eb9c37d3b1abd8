"""config.resolution.RememberingWSGIHandler: a path resolves once per process, to Django's own match."""

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import URLResolver

from config import resolution
from config.resolution import RememberingWSGIHandler

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_s_connection():
    """As Django's test client does: the handler must not close the connection the test's transaction holds."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _get(handler: RememberingWSGIHandler, path: str) -> tuple[str, bytes]:
    environ = RequestFactory().get(path, HTTP_ACCEPT="application/json").environ
    started: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
        started.append(status)
        return lambda data: None

    body = b"".join(handler(environ, start_response))
    return started[0], body


def test_a_path_is_resolved_once_and_answers_the_same():
    handler = RememberingWSGIHandler()
    resolve = mock.patch.object(URLResolver, "resolve", autospec=True, side_effect=URLResolver.resolve)
    with resolve as resolved:
        first = _get(handler, "/health/")
        assert resolved.called
        resolved.reset_mock()
        second = _get(handler, "/health/")
    assert first == second == ("200 OK", b'{"status":"ok"}\n')
    resolved.assert_not_called()


def test_the_view_gets_its_kwargs_each_time():
    handler = RememberingWSGIHandler()
    assert _get(handler, "/api/v1/products/00000000-0000-0000-0000-000000000000/")[0] == "404 Not Found"
    assert _get(handler, "/api/v1/products/00000000-0000-0000-0000-000000000001/")[0] == "404 Not Found"
    assert set(handler.matches) == {
        "/api/v1/products/00000000-0000-0000-0000-000000000000/",
        "/api/v1/products/00000000-0000-0000-0000-000000000001/",
    }
    kept = handler.matches["/api/v1/products/00000000-0000-0000-0000-000000000000/"][1]
    assert kept.kwargs == {"pk": "00000000-0000-0000-0000-000000000000"}


def test_a_path_that_resolves_to_nothing_is_not_kept():
    handler = RememberingWSGIHandler()
    assert _get(handler, "/no-such-page/")[0] == "404 Not Found"
    assert handler.matches == {}


def test_the_table_is_bounded():
    handler = RememberingWSGIHandler()
    with mock.patch.object(resolution, "MAX_KEPT_PATHS", 2):
        for path in ("/health/", "/health", "/ready/"):
            _get(handler, path)
    assert list(handler.matches) == ["/ready/"]


def test_another_root_urlconf_resolves_again(settings):
    handler = RememberingWSGIHandler()
    _get(handler, "/health/")
    settings.ROOT_URLCONF = "tests.idempotency_urls"
    assert _get(handler, "/health/")[0] == "404 Not Found"
