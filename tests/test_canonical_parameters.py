"""Each filter backend and paginator says its own canonical parameters (config/api/filters.py, pagination.py).

A cached list's key is made of them (config/api/cached_views.py), and its page links carry only
them; the answer itself is computed from the request as sent, which the backends read the same way.
"""

from unittest import mock

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalog.api.views import ProductViewSet
from config.api.filters import PhraseSearchFilter, StrictFilterBackend, StrictOrderingFilter
from config.api.pagination import CursorPagination, PageNumberPagination
from tests.sprockets.factories import SprocketTypeFactory

pytestmark = pytest.mark.django_db


def _view(query: str) -> tuple[Request, ProductViewSet]:
    request = Request(APIRequestFactory().get(f"/api/v1/products/?{query}"))
    view = ProductViewSet(request=request, action="list", format_kwarg=None, kwargs={})
    return request, view


@pytest.mark.parametrize(
    ("component", "query", "expected"),
    [
        (
            StrictFilterBackend(),
            "in_stock=YES&min_price=10.00&name=%20widget%20&category=&n=1",
            [("in_stock", "true"), ("min_price", "10"), ("name", "widget")],
        ),
        (StrictFilterBackend(), "in_stock=maybe&n=1", [("in_stock", "maybe")]),  # invalid: as sent, for the 400
        (StrictFilterBackend(), "n=1", []),
        (PhraseSearchFilter(), "search=%20blue%20widget%20", [("search", "blue widget")]),
        (PhraseSearchFilter(), "search=", []),
        (StrictOrderingFilter(), "ordering=%20price%20,-name,price,", [("ordering", "price,-name")]),
        (StrictOrderingFilter(), "n=1", []),
        (PageNumberPagination(), "page=1&page_size=20", []),
        (PageNumberPagination(), "page=02&page_size=500", [("page", "2"), ("page_size", "100")]),
        # Not a whole number: as sent, for the 400.
        (PageNumberPagination(), "page=last&page_size=junk", [("page", "last"), ("page_size", "junk")]),
        (CursorPagination(), "cursor=abc&page_size=5", [("cursor", "abc"), ("page_size", "5")]),
    ],
)
def test_each_backend_and_paginator_gives_its_own_canonical_parameters(component, query, expected):
    request, view = _view(query)
    assert sorted(component.canonical_parameters(request, view)) == expected


def test_a_cached_list_is_computed_from_the_query_as_sent(api_client):
    """The view no longer rewrites the request's query string to compute a miss."""
    seen: list[str] = []
    real = StrictOrderingFilter.filter_queryset

    def spy(self, request, queryset, view):
        seen.append(request.query_params.urlencode())
        return real(self, request, queryset, view)

    with mock.patch.object(StrictOrderingFilter, "filter_queryset", spy):
        assert api_client.get("/api/v1/products/?in_stock=yes&n=1").status_code == 200
    assert seen == ["in_stock=yes&n=1"]


def test_a_field_ordered_twice_orders_as_its_first_term_on_every_list(user_client):
    """`?ordering=teeth,-teeth` is `?ordering=teeth`, ties included, cached or not (here: not cached)."""
    for _ in range(3):
        SprocketTypeFactory.create(teeth=12)

    def ids(query: str) -> list[int]:
        response = user_client.get(f"/api/v1/sprocket-types/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("ordering=teeth,-teeth") == ids("ordering=teeth")
