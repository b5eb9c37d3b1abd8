"""A filterset whose form validates alone has its canonical parameters remembered (config/api/filters.py).

The remembered answer is the one the filterset gives when built for the request; a filterset that
may ask the database or read the request is always built.
"""

import django_filters
import pytest
from django import forms
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalog.api.views import ProductViewSet
from catalog.filters import ProductFilter
from catalog.models import Product
from config.api import filters
from config.api.filters import StrictFilterBackend
from posts.models import Post

pytestmark = pytest.mark.django_db

QUERIES = [
    "in_stock=YES&min_price=10.00&name=%20widget%20&category=&n=1",
    "in_stock=maybe",
    "min_price=20&max_price=10",
    "min_price=1e3",
    "min_price=NaN&category=Tools",
    "name=" + "x" * 300,
    "category=%E2%82%AC&max_price=0",
    "n=1",
]


def canonical(query: str) -> list[tuple[str, str]]:
    request = Request(APIRequestFactory().get(f"/api/v1/products/?{query}"))
    view = ProductViewSet(request=request, action="list", format_kwarg=None, kwargs={})
    return StrictFilterBackend().canonical_parameters(request, view)


@pytest.fixture
def forgetful():
    filters._remembered_pairs.cache_clear()
    yield
    filters._remembered_pairs.cache_clear()


def test_the_catalog_filter_validates_alone():
    assert filters.validates_alone(ProductFilter)


@pytest.mark.parametrize("query", QUERIES)
def test_the_remembered_parameters_are_those_of_a_filterset_built_for_the_request(query, forgetful, monkeypatch):
    remembered_first, remembered_again = canonical(query), canonical(query)
    monkeypatch.setattr(filters, "validates_alone", lambda filterset_class: False)
    built = canonical(query)
    assert remembered_first == remembered_again == built


def test_a_filtered_hit_builds_no_filterset_the_second_time(api_client, forgetful, monkeypatch):
    built: list[type] = []
    original = django_filters.FilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(django_filters.FilterSet, "__init__", counting)
    first = api_client.get("/api/v1/products/?in_stock=true&min_price=1")
    assert first.status_code == 200
    # Another spelling is the same cached answer; its values are checked once, by a filterset
    # (and the first request's miss filtered with one).
    other_spelling = api_client.get("/api/v1/products/?in_stock=1&min_price=1.0")
    assert other_spelling["ETag"] == first["ETag"]
    assert built == [ProductFilter] * 3
    built.clear()
    for query in ("in_stock=true&min_price=1", "in_stock=1&min_price=1.0"):
        again = api_client.get(f"/api/v1/products/?{query}")
        assert again.status_code == 200
        assert again["ETag"] == first["ETag"]
    assert built == []


def test_a_repeated_parameter_is_still_a_400(api_client, forgetful):
    api_client.get("/api/v1/products/?in_stock=true")
    answer = api_client.get("/api/v1/products/?in_stock=true&in_stock=false")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "in_stock"


def test_long_values_are_not_remembered(forgetful):
    canonical("name=" + "y" * (filters.REMEMBERED_VALUES_MAX_CHARS + 1))
    assert filters._remembered_pairs.cache_info().currsize == 0
    canonical("name=" + "y" * filters.REMEMBERED_VALUES_MAX_CHARS)
    assert filters._remembered_pairs.cache_info().currsize == 1


def test_a_filterset_that_may_ask_the_database_or_has_its_own_form_is_always_built():
    class ByProduct(django_filters.FilterSet):
        product = django_filters.ModelChoiceFilter(queryset=Product.objects.all())

        class Meta:
            model = Post
            fields: list[str] = []

    class OwnForm(forms.Form):
        def clean(self):
            return super().clean()

    class WithOwnForm(django_filters.FilterSet):
        text = django_filters.CharFilter()

        class Meta:
            model = Post
            fields: list[str] = []
            form = OwnForm

    class Plain(django_filters.FilterSet):
        text = django_filters.CharFilter()

        class Meta:
            model = Post
            fields: list[str] = []

    assert not filters.validates_alone(ByProduct)
    assert not filters.validates_alone(WithOwnForm)
    assert filters.validates_alone(Plain)
