"""config.api.negotiation: DRF's choice of renderer, kept per Accept value, is the one DRF makes."""

from typing import Any
from unittest import mock

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api import negotiation
from config.api.negotiation import RememberingContentNegotiation
from config.api.renderers import BrowsableAPIRenderer

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html",
    "application/*",
    "text/html;q=0.1, application/json",
]


@pytest.fixture(autouse=True)
def _empty_table():
    negotiation._choices.clear()
    yield
    negotiation._choices.clear()


def _request(accept: str | None, query: str = "") -> Request:
    headers: dict[str, Any] = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/api/v1/products/{query}", **headers))


def _choice(negotiator, accept: str | None, query: str = "") -> tuple[type, str]:
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]
    renderer, media_type = negotiator.select_renderer(_request(accept, query), renderers)
    assert renderer in renderers
    return type(renderer), media_type


@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_kept_choice_is_drf_s(accept):
    expected = _choice(DefaultContentNegotiation(), accept)
    assert _choice(RememberingContentNegotiation(), accept) == expected  # decided by DRF, then kept
    assert _choice(RememberingContentNegotiation(), accept) == expected  # from the table


def test_a_second_request_with_the_same_accept_does_not_negotiate_again():
    drf_choice = DefaultContentNegotiation.select_renderer
    with mock.patch.object(DefaultContentNegotiation, "select_renderer", autospec=True, side_effect=drf_choice) as drf:
        for _ in range(3):
            _choice(RememberingContentNegotiation(), "application/json")
        _choice(RememberingContentNegotiation(), "text/html")
    assert drf.call_count == 2


def test_format_override_and_refusals_are_drf_s_each_time():
    assert _choice(RememberingContentNegotiation(), "*/*", "?format=api")[0] is BrowsableAPIRenderer
    assert _choice(RememberingContentNegotiation(), "*/*")[0] is JSONRenderer
    for _ in range(2):
        with pytest.raises(NotAcceptable):
            _choice(RememberingContentNegotiation(), "image/png")
    assert ("image/png",) not in {key[:1] for key in negotiation._choices}


def test_the_table_is_bounded():
    with mock.patch.object(negotiation, "MAX_KEPT_CHOICES", 2):
        for n in range(5):
            _choice(RememberingContentNegotiation(), f"application/json, text/x-{n}")
    assert len(negotiation._choices) == 2
    _choice(RememberingContentNegotiation(), "application/json; x=" + "a" * 300)
    assert all(len(key[0]) <= negotiation.MAX_KEPT_ACCEPT_LENGTH for key in negotiation._choices)


@pytest.mark.django_db
def test_the_api_uses_it(api_client):
    response = api_client.get("/api/v1/products/", HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert response.content.startswith(b"{\n  ")
    assert any(key[0] == "application/json; indent=2" for key in negotiation._choices)
